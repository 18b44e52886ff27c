//! Shell profiles (issue 4): placeholder until the module lands.
