//! Shell profile tests (issue 4): placeholder.
