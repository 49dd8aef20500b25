//! docklab's integration tests, in one test binary: they drive the real `docklab`
//! binary (script mode) and the library's public surfaces.
#![allow(clippy::print_stderr)]

mod architecture;
mod book;
mod checks;
mod cli_details;
mod compose;
mod compose_project;
mod container_network_tools;
mod docker_backend;
mod generated_class;
mod git_in_container;
mod go_apps;
mod grade;
mod health;
mod httpd_app;
mod lessons;
mod mounts;
mod networks;
mod node_apps;
mod not_carried;
mod prune;
mod python_apps;
mod registry;
mod registry_clients;
mod robustness;
mod services_apps;
mod state;
mod support;
mod terminal;
mod transcripts;
mod undo;
