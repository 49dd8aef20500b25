//! The embedded engine behind `trait Backend`. To be written.
