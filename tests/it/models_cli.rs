//! (filled in by its issue-6 work)
