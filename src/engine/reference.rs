//! Image references with Docker's exact normalisation and validation
//! (`ubuntu` → `docker.io/library/ubuntu:latest`). To be written.
