//! The docker command line as data: one clap struct per verb, flags named and typed as
//! Docker CLI 28 names them, no behaviour. Help and usage errors are rendered in
//! cobra's words by `parse`, not by clap.

use clap::Parser;

/// What the dispatcher needs of every verb's arguments.
pub trait Positionals {
    fn positionals(&self) -> &[String];
    fn wants_help(&self) -> bool;
}

/// For verbs that collect the words after their first positional themselves.
pub trait PositionalsMut {
    fn positionals_mut(&mut self) -> &mut Vec<String>;
}

impl PositionalsMut for RunArgs {
    fn positionals_mut(&mut self) -> &mut Vec<String> {
        &mut self.args
    }
}

/// The settings every verb shares.
macro_rules! verb {
    ($(#[$meta:meta])* pub struct $name:ident { $($body:tt)* }) => {
        $(#[$meta])*
        #[derive(Parser, Debug, Default, Clone)]
        #[command(no_binary_name = true, disable_help_flag = true, disable_version_flag = true)]
        pub struct $name {
            /// `--help`: handled before the verb runs, as cobra does.
            #[arg(long = "help", hide = true)]
            pub help: bool,
            $($body)*
        }

        impl Positionals for $name {
            fn positionals(&self) -> &[String] {
                &self.args
            }
            fn wants_help(&self) -> bool {
                self.help
            }
        }
    };
}

verb! {
    /// `docker images`, `docker image ls`.
    pub struct ImagesArgs {
        #[arg(short, long)]
        pub all: bool,
        #[arg(long)]
        pub digests: bool,
        #[arg(short, long = "filter")]
        pub filter: Vec<String>,
        #[arg(long)]
        pub format: Option<String>,
        #[arg(long = "no-trunc")]
        pub no_trunc: bool,
        #[arg(short, long)]
        pub quiet: bool,
        #[arg(long)]
        pub tree: bool,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker pull`.
    pub struct PullArgs {
        #[arg(short = 'a', long = "all-tags")]
        pub all_tags: bool,
        #[arg(long = "disable-content-trust", default_value_t = true)]
        pub disable_content_trust: bool,
        #[arg(long)]
        pub platform: Option<String>,
        #[arg(short, long)]
        pub quiet: bool,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker push`.
    pub struct PushArgs {
        #[arg(short = 'a', long = "all-tags")]
        pub all_tags: bool,
        #[arg(long = "disable-content-trust", default_value_t = true)]
        pub disable_content_trust: bool,
        #[arg(short, long)]
        pub quiet: bool,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker login`.
    pub struct LoginArgs {
        #[arg(short, long)]
        pub username: Option<String>,
        #[arg(short, long)]
        pub password: Option<String>,
        #[arg(long = "password-stdin")]
        pub password_stdin: bool,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker logout`.
    pub struct LogoutArgs {
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker tag`.
    pub struct TagArgs {
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker rmi`, `docker image rm`.
    pub struct RmiArgs {
        #[arg(short, long)]
        pub force: bool,
        #[arg(long = "no-prune")]
        pub no_prune: bool,
        #[arg(long)]
        pub platform: Vec<String>,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker image inspect`, `docker inspect`.
    pub struct InspectArgs {
        #[arg(short, long)]
        pub format: Option<String>,
        #[arg(short, long)]
        pub size: bool,
        #[arg(long = "type")]
        pub kind: Option<String>,
        #[arg(long)]
        pub platform: Option<String>,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker history`, `docker image history`.
    pub struct HistoryArgs {
        #[arg(long)]
        pub format: Option<String>,
        #[arg(short = 'H', long, default_value_t = true, num_args = 0..=1, default_missing_value = "true", require_equals = true)]
        pub human: bool,
        #[arg(long = "no-trunc")]
        pub no_trunc: bool,
        #[arg(long)]
        pub platform: Option<String>,
        #[arg(short, long)]
        pub quiet: bool,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker search`.
    pub struct SearchArgs {
        #[arg(short, long = "filter")]
        pub filter: Vec<String>,
        #[arg(long)]
        pub format: Option<String>,
        #[arg(long)]
        pub limit: Option<i64>,
        #[arg(long = "no-trunc")]
        pub no_trunc: bool,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker run`, `docker container run`; `docker create` takes the same flags less
    /// `-d`, `--rm`'s run-time meaning and `--sig-proxy`.
    pub struct RunArgs {
        #[arg(short = 'a', long)]
        pub attach: Vec<String>,
        #[arg(long = "cap-add")]
        pub cap_add: Vec<String>,
        #[arg(long = "cap-drop")]
        pub cap_drop: Vec<String>,
        #[arg(long)]
        pub cidfile: Option<String>,
        #[arg(short = 'c', long = "cpu-shares", allow_negative_numbers = true)]
        pub cpu_shares: Option<i64>,
        #[arg(long, allow_hyphen_values = true)]
        pub cpus: Option<String>,
        #[arg(short, long)]
        pub detach: bool,
        #[arg(long = "detach-keys")]
        pub detach_keys: Option<String>,
        #[arg(long)]
        pub dns: Vec<String>,
        #[arg(short, long)]
        pub env: Vec<String>,
        #[arg(long = "env-file")]
        pub env_file: Vec<String>,
        #[arg(long)]
        pub entrypoint: Option<String>,
        #[arg(long)]
        pub expose: Vec<String>,
        #[arg(long = "add-host")]
        pub add_host: Vec<String>,
        /// The health flags: durations are read as Go reads them, by `docker run`.
        #[arg(long = "health-cmd", allow_hyphen_values = true)]
        pub health_cmd: Option<String>,
        #[arg(long = "health-interval", allow_hyphen_values = true)]
        pub health_interval: Option<String>,
        #[arg(long = "health-retries", allow_negative_numbers = true)]
        pub health_retries: Option<i64>,
        #[arg(long = "health-start-interval", allow_hyphen_values = true)]
        pub health_start_interval: Option<String>,
        #[arg(long = "health-start-period", allow_hyphen_values = true)]
        pub health_start_period: Option<String>,
        #[arg(long = "health-timeout", allow_hyphen_values = true)]
        pub health_timeout: Option<String>,
        #[arg(long = "no-healthcheck")]
        pub no_healthcheck: bool,
        #[arg(short = 'h', long)]
        pub hostname: Option<String>,
        #[arg(long)]
        pub init: bool,
        #[arg(short, long)]
        pub interactive: bool,
        #[arg(short, long)]
        pub label: Vec<String>,
        #[arg(long = "label-file")]
        pub label_file: Vec<String>,
        #[arg(short, long)]
        pub memory: Option<String>,
        #[arg(long)]
        pub mount: Vec<String>,
        #[arg(long)]
        pub name: Option<String>,
        #[arg(long, alias = "net")]
        pub network: Option<String>,
        #[arg(long = "network-alias", alias = "net-alias")]
        pub network_alias: Vec<String>,
        #[arg(long)]
        pub ip: Option<String>,
        #[arg(long)]
        pub platform: Option<String>,
        #[arg(long)]
        pub privileged: bool,
        #[arg(short, long)]
        pub publish: Vec<String>,
        #[arg(short = 'P', long = "publish-all")]
        pub publish_all: bool,
        #[arg(long)]
        pub pull: Option<String>,
        #[arg(short, long)]
        pub quiet: bool,
        #[arg(long = "read-only")]
        pub read_only: bool,
        #[arg(long)]
        pub restart: Option<String>,
        #[arg(long)]
        pub rm: bool,
        #[arg(long = "stop-signal")]
        pub stop_signal: Option<String>,
        #[arg(short, long)]
        pub tty: bool,
        #[arg(short, long)]
        pub user: Option<String>,
        #[arg(short, long)]
        pub volume: Vec<String>,
        #[arg(short, long)]
        pub workdir: Option<String>,
        /// IMAGE, then the command and its arguments (never parsed as flags: see
        /// `Verb::parse_until_positional`).
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker ps`, `docker container ls`.
    pub struct PsArgs {
        #[arg(short, long)]
        pub all: bool,
        #[arg(short, long = "filter")]
        pub filter: Vec<String>,
        #[arg(long)]
        pub format: Option<String>,
        #[arg(short = 'n', long)]
        pub last: Option<i64>,
        #[arg(short, long)]
        pub latest: bool,
        #[arg(long = "no-trunc")]
        pub no_trunc: bool,
        #[arg(short, long)]
        pub quiet: bool,
        #[arg(short, long)]
        pub size: bool,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker rm`, `docker container rm`.
    pub struct RmArgs {
        #[arg(short, long)]
        pub force: bool,
        #[arg(short, long)]
        pub link: bool,
        #[arg(short, long)]
        pub volumes: bool,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker version`, `docker info`.
    pub struct FormatOnlyArgs {
        #[arg(short, long)]
        pub format: Option<String>,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker logs`, `docker container logs`.
    pub struct LogsArgs {
        #[arg(long)]
        pub details: bool,
        #[arg(short, long)]
        pub follow: bool,
        #[arg(long)]
        pub since: Option<String>,
        #[arg(short = 'n', long)]
        pub tail: Option<String>,
        #[arg(short, long)]
        pub timestamps: bool,
        #[arg(long)]
        pub until: Option<String>,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker start`, `docker container start`.
    pub struct StartArgs {
        #[arg(short, long)]
        pub attach: bool,
        #[arg(short, long)]
        pub interactive: bool,
        #[arg(long = "detach-keys")]
        pub detach_keys: Option<String>,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker cp`, `docker container cp`.
    pub struct CpArgs {
        #[arg(short, long)]
        pub archive: bool,
        #[arg(short = 'L', long = "follow-link")]
        pub follow_link: bool,
        #[arg(short, long)]
        pub quiet: bool,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker stop`, `docker restart`, `docker kill`.
    pub struct StopArgs {
        #[arg(short, long)]
        pub signal: Option<String>,
        #[arg(short, long)]
        pub time: Option<i64>,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker exec`, `docker container exec`.
    pub struct ExecArgs {
        #[arg(short, long)]
        pub detach: bool,
        #[arg(short, long)]
        pub env: Vec<String>,
        #[arg(short, long)]
        pub interactive: bool,
        #[arg(long)]
        pub privileged: bool,
        #[arg(short, long)]
        pub tty: bool,
        #[arg(short, long)]
        pub user: Option<String>,
        #[arg(short, long)]
        pub workdir: Option<String>,
        /// CONTAINER, then the command (never parsed as flags).
        pub args: Vec<String>,
    }
}

impl PositionalsMut for ExecArgs {
    fn positionals_mut(&mut self) -> &mut Vec<String> {
        &mut self.args
    }
}

verb! {
    /// `docker rename`, `docker wait`, `docker top`: containers and nothing else.
    pub struct PlainArgs {
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker container prune`.
    pub struct PruneArgs {
        #[arg(long)]
        pub filter: Vec<String>,
        #[arg(short, long)]
        pub force: bool,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker save`, `docker image save`.
    pub struct SaveArgs {
        #[arg(short, long)]
        pub output: Option<String>,
        #[arg(long)]
        pub platform: Option<String>,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker load`, `docker image load`.
    pub struct LoadArgs {
        #[arg(short, long)]
        pub input: Option<String>,
        #[arg(short, long)]
        pub quiet: bool,
        #[arg(long)]
        pub platform: Option<String>,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker diff`, `docker container diff`.
    pub struct DiffArgs {
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker commit`, `docker container commit`.
    pub struct CommitArgs {
        #[arg(short, long)]
        pub author: Option<String>,
        #[arg(short, long)]
        pub change: Vec<String>,
        #[arg(short, long)]
        pub message: Option<String>,
        #[arg(short, long, default_value_t = true)]
        pub pause: bool,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker build`, `docker image build`, `docker buildx build`.
    pub struct BuildArgs {
        #[arg(long = "build-arg")]
        pub build_arg: Vec<String>,
        #[arg(short = 'f', long = "file")]
        pub file: Option<String>,
        #[arg(long)]
        pub label: Vec<String>,
        #[arg(long = "no-cache")]
        pub no_cache: bool,
        #[arg(long)]
        pub progress: Option<String>,
        #[arg(long)]
        pub pull: bool,
        #[arg(short, long)]
        pub quiet: bool,
        #[arg(long)]
        pub rm: bool,
        #[arg(short = 't', long = "tag")]
        pub tag: Vec<String>,
        #[arg(long)]
        pub target: Option<String>,
        #[arg(long)]
        pub platform: Option<String>,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker system df`.
    pub struct DfArgs {
        #[arg(long)]
        pub format: Option<String>,
        #[arg(short, long)]
        pub verbose: bool,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker export`, `docker container export`.
    pub struct ExportArgs {
        #[arg(short, long)]
        pub output: Option<String>,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker import`, `docker image import`.
    pub struct ImportArgs {
        #[arg(short, long)]
        pub change: Vec<String>,
        #[arg(short, long)]
        pub message: Option<String>,
        #[arg(long)]
        pub platform: Option<String>,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker volume create`.
    pub struct VolumeCreateArgs {
        #[arg(short, long)]
        pub driver: Option<String>,
        #[arg(long)]
        pub label: Vec<String>,
        #[arg(short, long)]
        pub opt: Vec<String>,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker volume ls`.
    pub struct VolumeLsArgs {
        #[arg(short, long)]
        pub filter: Vec<String>,
        #[arg(long)]
        pub format: Option<String>,
        #[arg(short, long)]
        pub quiet: bool,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker volume inspect`.
    pub struct VolumeInspectArgs {
        #[arg(short, long)]
        pub format: Option<String>,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker volume rm`.
    pub struct VolumeRmArgs {
        #[arg(short, long)]
        pub force: bool,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker volume prune`.
    pub struct VolumePruneArgs {
        #[arg(short, long)]
        pub all: bool,
        #[arg(long)]
        pub filter: Vec<String>,
        #[arg(short, long)]
        pub force: bool,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker attach`, `docker container attach`.
    pub struct AttachArgs {
        #[arg(long = "detach-keys")]
        pub detach_keys: Option<String>,
        #[arg(long = "no-stdin")]
        pub no_stdin: bool,
        #[arg(long = "sig-proxy", default_value_t = true)]
        pub sig_proxy: bool,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker network create`.
    pub struct NetworkCreateArgs {
        #[arg(long)]
        pub attachable: bool,
        #[arg(short, long)]
        pub driver: Option<String>,
        #[arg(long)]
        pub gateway: Vec<String>,
        #[arg(long)]
        pub internal: bool,
        #[arg(long = "ip-range")]
        pub ip_range: Vec<String>,
        #[arg(long = "ipam-driver")]
        pub ipam_driver: Option<String>,
        #[arg(long)]
        pub ipv6: bool,
        #[arg(long)]
        pub label: Vec<String>,
        #[arg(short, long)]
        pub opt: Vec<String>,
        #[arg(long)]
        pub scope: Option<String>,
        #[arg(long)]
        pub subnet: Vec<String>,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker network ls`.
    pub struct NetworkLsArgs {
        #[arg(short, long)]
        pub filter: Vec<String>,
        #[arg(long)]
        pub format: Option<String>,
        #[arg(long = "no-trunc")]
        pub no_trunc: bool,
        #[arg(short, long)]
        pub quiet: bool,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker network inspect`.
    pub struct NetworkInspectArgs {
        #[arg(short, long)]
        pub format: Option<String>,
        #[arg(short, long)]
        pub verbose: bool,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker network rm`.
    pub struct NetworkRmArgs {
        #[arg(short, long)]
        pub force: bool,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker network connect`.
    pub struct NetworkConnectArgs {
        #[arg(long)]
        pub alias: Vec<String>,
        #[arg(long)]
        pub ip: Option<String>,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker network disconnect`.
    pub struct NetworkDisconnectArgs {
        #[arg(short, long)]
        pub force: bool,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker network prune`.
    pub struct NetworkPruneArgs {
        #[arg(long)]
        pub filter: Vec<String>,
        #[arg(short, long)]
        pub force: bool,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker image prune`.
    pub struct ImagePruneArgs {
        #[arg(short, long)]
        pub all: bool,
        #[arg(long)]
        pub filter: Vec<String>,
        #[arg(short, long)]
        pub force: bool,
        pub args: Vec<String>,
    }
}

verb! {
    /// `docker system prune`.
    pub struct SystemPruneArgs {
        #[arg(short, long)]
        pub all: bool,
        #[arg(long)]
        pub filter: Vec<String>,
        #[arg(short, long)]
        pub force: bool,
        #[arg(long)]
        pub volumes: bool,
        pub args: Vec<String>,
    }
}
