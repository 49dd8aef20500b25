//! The simulated Docker Hub (and one other public registry). To be written.
