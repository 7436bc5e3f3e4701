"""The staff workspace under /staff/: one blueprint module per area (sign-in, the queue, ...),
each made with ``area.StaffArea`` so that no page of it answers without a session."""
