"""What people read: form specs from schemas, templates, languages, mail content, charts."""
