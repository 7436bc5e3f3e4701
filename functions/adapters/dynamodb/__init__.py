"""The DynamoDB table: models and key formats, the repository, and its in-memory fake."""
