//! A real Docker daemon behind `trait Backend`, through bollard. To be written.
