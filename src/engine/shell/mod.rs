//! The POSIX shell interpreter used by the lab shell and, later, container shells. To be written.
