//! The `docklab` binary: everything lives in the library; this only hands over the
//! command line and turns the outcome into an exit status.

fn main() -> std::process::ExitCode {
    docklab::app::main()
}
