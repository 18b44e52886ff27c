//! API client tests: placeholder.
