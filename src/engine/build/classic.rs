//! The classic builder, step by step as Docker's: `Step N/M : ...`, an intermediate
//! container per step (`Running in`, `Removed intermediate container`), a committed
//! image per step (`---> <id>`), and the build cache: among the images built on the
//! same parent, one whose `container_config` matches the step's is reused.

use super::config::{HistoryRow, ImageConfigFile, RootFsJson};
use super::{BuildMessage, BuildOptions};
use crate::engine::Engine;
use crate::engine::digest::Digest;
use crate::engine::dockerfile::{self, CommandLine, Copy, Instruction, InstructionKind};
use crate::engine::error::{EngineError, Result};
use crate::engine::fs::{Layer, LayerEntry, Node, NodeKind, Snapshot, Timestamp};
use crate::engine::image::ImageRecord;
use crate::engine::reference;
use crate::engine::runtime::ContainerHost;
use crate::engine::shell::{DefaultResolver, Shell, Vfs};
use crate::engine::streams::{Interleaved, Streams};
use bollard_stubs::models::ContainerConfig;
use std::collections::BTreeSet;
use std::io::Write;
use std::sync::Arc;

const DEFAULT_SHELL: [&str; 2] = ["/bin/sh", "-c"];

/// Where a stage stands after each step.
#[derive(Clone)]
struct StageState {
    /// The image of the last step; `None` before any step on `scratch`.
    image: Option<Digest>,
    config: ContainerConfig,
    diff_ids: Vec<Digest>,
    history: Vec<HistoryRow>,
    /// ARGs declared in this stage, with their values.
    args: Vec<(String, Option<String>)>,
}

struct Builder<'a> {
    engine: &'a mut Engine,
    context: Layer,
    options: &'a BuildOptions,
    out: &'a mut dyn FnMut(&BuildMessage),
    escape: char,
    step: usize,
    total: usize,
    used_args: BTreeSet<String>,
    /// Final images of the stages built so far: (index in the Dockerfile, name, state).
    stages: Vec<(usize, Option<String>, StageState)>,
    /// The stage being built, by index.
    current_stage: usize,
    /// Bases BuildKit pulled while it loaded their metadata: their FROM resolves them.
    resolved_now: BTreeSet<String>,
    /// BuildKit's progress and history instead of the classic builder's.
    bk: BuildKitProgress,
    dockerfile_text: String,
}

/// Where BuildKit's plain progress stands: the vertex being printed and the step of
/// the stage (`[2/3]`).
#[derive(Default)]
struct BuildKitProgress {
    on: bool,
    vertex: usize,
    step: usize,
    steps: usize,
    label: String,
    /// The vertex of the current step was answered from the cache.
    cached: bool,
    /// Lines the current step printed, for the error summary.
    lines: Vec<String>,
    current: String,
    context_loaded: bool,
    context_size: usize,
    /// The current instruction opened a vertex (metadata instructions do not).
    in_vertex: bool,
    /// The FROM vertices printed so far, by the base they resolve.
    bases_shown: BTreeSet<String>,
}

/// A build's failure: the message the stream ends with, and the exit code it carries.
fn failed(message: String) -> EngineError {
    EngineError::BuildFailed { message, code: 1 }
}

pub(super) fn build(
    engine: &mut Engine,
    context_tar: &[u8],
    options: &BuildOptions,
    out: &mut dyn FnMut(&BuildMessage),
) -> Result<String> {
    let context = Layer::from_tar(Arc::from(context_tar.to_vec()))
        .map_err(|e| EngineError::BadRequest(format!("failed to read the build context: {e}")))?;
    let name = if options.dockerfile.is_empty() {
        "Dockerfile"
    } else {
        &options.dockerfile
    };
    let text = match context.get(&crate::engine::fs::normalise(name)) {
        Some(LayerEntry::Put(Node {
            kind: NodeKind::File(content),
            ..
        })) => String::from_utf8_lossy(content.as_bytes()).into_owned(),
        _ => {
            return Err(EngineError::BadRequest(format!(
                "Cannot locate specified Dockerfile: {name}"
            )));
        }
    };
    let parsed = dockerfile::parse(&text).map_err(|e| EngineError::BadRequest(e.to_string()))?;
    let last_stage = match &options.target {
        Some(t) => parsed.stage_index(t).ok_or_else(|| {
            EngineError::BadRequest(format!("failed to reach build target {t} in Dockerfile"))
        })?,
        None => parsed.stages.len().saturating_sub(1),
    };
    if parsed.stages.is_empty() {
        return Err(EngineError::BadRequest(
            "No build stage in current context".into(),
        ));
    }
    let total = parsed.meta_arg_instructions.len()
        + parsed.stages[..=last_stage]
            .iter()
            .map(|s| 1 + s.instructions.len())
            .sum::<usize>();
    let mut builder = Builder {
        engine,
        context,
        options,
        out,
        escape: parsed.escape,
        step: 0,
        total,
        used_args: BTreeSet::new(),
        stages: Vec::new(),
        current_stage: 0,
        resolved_now: BTreeSet::new(),
        bk: BuildKitProgress {
            on: options.buildkit,
            context_size: context_tar.len(),
            ..Default::default()
        },
        dockerfile_text: text.clone(),
    };
    match builder.run(&parsed, last_stage) {
        Ok(id) => Ok(id),
        Err(EngineError::BuildFailed { message, code }) => {
            (builder.out)(&BuildMessage::error(message.clone(), Some(code)));
            Err(EngineError::BuildFailed { message, code })
        }
        Err(other) => {
            (builder.out)(&BuildMessage::error(other.to_string(), None));
            Err(other)
        }
    }
}

impl Builder<'_> {
    fn say(&mut self, text: &str) {
        if !self.options.quiet {
            (self.out)(&BuildMessage::stream(text));
        }
    }

    fn build_arg(&self, name: &str) -> Option<Option<String>> {
        self.options
            .build_args
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    fn run(&mut self, parsed: &dockerfile::Dockerfile, last_stage: usize) -> Result<String> {
        // ARGs before the first FROM may only be used in FROM lines.
        let mut global_args: Vec<(String, Option<String>)> = Vec::new();
        let plan = StagePlan::of(parsed);
        if self.bk.on {
            self.say("#0 building with \"default\" instance using docker driver\n\n");
            let size = self.dockerfile_text.len();
            self.vertex(&format!(
                "[internal] load build definition from {}",
                self.dockerfile_name()
            ));
            self.vertex_line(&format!("transferring dockerfile: {size}B done"));
            self.vertex_done();
            if let Some((name, line)) = plan.cycle() {
                let failure = format!("circular dependency detected on stage: {name}");
                return Err(failed(self.source_summary(line, &failure)));
            }
            let order = plan.order(last_stage);
            let mut bases: Vec<(String, usize)> = Vec::new();
            for &index in &order {
                for (image, line) in plan.images(parsed, index) {
                    if !bases.iter().any(|(b, _)| *b == image) {
                        bases.push((image, line));
                    }
                }
            }
            for (base, line) in bases {
                if dockerfile::expand(&base, &|_| None).is_ok_and(|b| b == base)
                    && base.contains('$')
                {
                    continue;
                }
                let full = reference::parse_normalized(&base)
                    .map(|r| r.with_default_tag().to_string())
                    .unwrap_or(base.clone());
                self.vertex(&format!("[internal] load metadata for {full}"));
                if self.engine.images.lookup(&base).is_err() && !base.contains('$') {
                    if let Err(e) = self.pull_quietly(&base) {
                        let why = buildkit_pull_error(&e);
                        self.vertex_line(&format!("ERROR: {why}"));
                        let failure =
                            format!("{base}: failed to resolve source metadata for {full}: {why}");
                        let mut message =
                            format!("------\n > [internal] load metadata for {full}:\n------\n");
                        message.push_str(&self.source_summary(line, &failure));
                        return Err(failed(message));
                    }
                    self.resolved_now.insert(base.clone());
                }
                self.vertex_done();
            }
            self.vertex("[internal] load .dockerignore");
            self.vertex_line("transferring context: 2B done");
            self.vertex_done();
        }
        for instruction in &parsed.meta_arg_instructions {
            self.step_header(instruction);
            if let InstructionKind::Arg(args) = &instruction.kind {
                for arg in args {
                    let value = match self.build_arg(&arg.name) {
                        Some(v) => {
                            self.used_args.insert(arg.name.clone());
                            v
                        }
                        None => arg.default.clone(),
                    };
                    global_args.push((arg.name.clone(), value));
                }
            }
        }
        let many_stages = last_stage > 0;
        let order = if self.bk.on {
            plan.order(last_stage)
        } else {
            (0..=last_stage).collect()
        };
        let mut warnings = Vec::new();
        for index in order {
            let stage = &parsed.stages[index];
            self.current_stage = index;
            if let Some(name) = &stage.name
                && parsed.stages[..index]
                    .iter()
                    .any(|s| s.name.as_ref() == Some(name))
            {
                if !self.bk.on {
                    return Err(failed(format!("{name} stage name already used")));
                }
                warnings.push(format!(
                    "DuplicateStageName: Duplicate stage name {name:?}, stage names should be unique (line {})",
                    stage.from_instruction.line
                ));
            }
            self.bk.step = 1;
            self.bk.steps = 1 + stage
                .instructions
                .iter()
                .filter(|i| makes_vertex(&i.kind))
                .count();
            self.bk.label = match (&stage.name, many_stages) {
                (Some(name), true) => format!("{name} "),
                (None, true) => format!("stage-{index} "),
                _ => String::new(),
            };
            self.step_header(&stage.from_instruction);
            let lookup = |name: &str| {
                global_args
                    .iter()
                    .rev()
                    .find(|(k, _)| k == name)
                    .and_then(|(_, v)| v.clone())
            };
            let image = dockerfile::expand(&stage.from.image, &lookup)
                .map_err(|e| failed(e.to_string()))?;
            let was_local = image == "scratch"
                || (self.engine.images.lookup(&image).is_ok()
                    && !self.resolved_now.contains(&image));
            let mut state = self.from(&image)?;
            if self.bk.on {
                let shown = self.resolved_name(&image, state.image.as_ref());
                // Stages on one base share its vertex: BuildKit merges identical steps.
                if image != "scratch" && self.bk.bases_shown.insert(shown.clone()) {
                    let title = format!("[{}1/{}] FROM {shown}", self.bk.label, self.bk.steps);
                    self.vertex(&title);
                    if was_local {
                        self.say(&format!("#{} CACHED\n\n", self.bk.vertex));
                    } else {
                        self.vertex_line(&format!("resolve {shown} 0.0s done"));
                        self.vertex_done();
                    }
                }
            } else {
                match &state.image {
                    Some(id) => {
                        let text = format!(" ---> {}\n", id.short());
                        self.say(&text);
                    }
                    None => self.say(" ---> \n"),
                }
            }
            for instruction in &stage.instructions {
                self.step_header(instruction);
                self.bk.cached = false;
                match self.dispatch(&mut state, instruction) {
                    Ok(()) => {}
                    // BuildKit marks the step's vertex failed and sums the failure up
                    // (a RUN step has done so already).
                    Err(EngineError::BuildFailed { message, code })
                        if self.bk.on && !message.starts_with("------") =>
                    {
                        let shown = message
                            .strip_prefix("failed to compute cache key: ")
                            .unwrap_or(&message)
                            .to_string();
                        self.vertex_line(&format!("ERROR: {shown}"));
                        return Err(EngineError::BuildFailed {
                            message: self.buildkit_summary(&message),
                            code,
                        });
                    }
                    Err(e) => return Err(e),
                }
                if self.bk.on {
                    if makes_vertex(&instruction.kind) && !self.bk.cached {
                        self.vertex_done();
                    }
                    continue;
                }
                let text = format!(
                    " ---> {}\n",
                    state
                        .image
                        .as_ref()
                        .map(|d| d.short().to_string())
                        .unwrap_or_default()
                );
                self.say(&text);
            }
            self.stages.push((index, stage.name.clone(), state));
        }
        let state = self
            .stages
            .last()
            .map(|(_, _, s)| s.clone())
            .expect("a stage was built");
        let id = match state.image {
            Some(id) => id,
            // A Dockerfile that is only `FROM scratch` makes no image.
            None => {
                return Err(failed(
                    "No image was generated. Is your Dockerfile empty?".into(),
                ));
            }
        };
        let unused: Vec<String> = self
            .options
            .build_args
            .iter()
            .map(|(k, _)| k.clone())
            .filter(|k| !self.used_args.contains(k) && !PREDEFINED_ARGS.contains(&k.as_str()))
            .collect();
        if !unused.is_empty() {
            let text = format!(
                "[Warning] One or more build-args [{}] were not consumed\n",
                unused.join(" ")
            );
            self.say(&text);
        }
        (self.out)(&BuildMessage {
            aux: Some(super::BuildAux { id: id.to_string() }),
            ..Default::default()
        });
        if self.bk.on {
            self.vertex("exporting to image");
            self.vertex_line("exporting layers 0.0s done");
            self.vertex_line(&format!("writing image {id} done"));
        } else {
            let text = format!("Successfully built {}\n", id.short());
            self.say(&text);
        }
        let now = self.engine.now_rfc3339();
        for tag in &self.options.tags {
            let named = reference::parse_normalized(tag)
                .map_err(|e| EngineError::InvalidReference(e.to_string()))?
                .with_default_tag();
            self.engine
                .images
                .set_tag(named.to_string(), id.clone(), &now);
            let text = if self.bk.on {
                format!("#{} naming to {named} done\n", self.bk.vertex)
            } else {
                format!("Successfully tagged {}\n", named.familiar_string())
            };
            self.say(&text);
        }
        if self.bk.on {
            self.say(&format!("#{} DONE 0.0s\n", self.bk.vertex));
            if !warnings.is_empty() {
                let count = warnings.len();
                let noun = if count == 1 { "warning" } else { "warnings" };
                let mut text = format!("\n {count} {noun} found (use docker --debug to expand):\n");
                for w in warnings {
                    text.push_str(&format!(" - {w}\n"));
                }
                self.say(&text);
            }
        }
        self.engine.save()?;
        Ok(id.to_string())
    }

    /// BuildKit's closing report of a failed step: its last output lines, the
    /// Dockerfile around the instruction, and the error.
    fn buildkit_summary(&self, failure: &str) -> String {
        let mut out = String::from("------\n");
        out.push_str(&format!(" > {}:\n", self.bk.current));
        let lines = &self.bk.lines;
        for line in &lines[lines.len().saturating_sub(10)..] {
            out.push_str(line);
            out.push('\n');
        }
        out.push_str("------\n");
        let source: Vec<&str> = self.dockerfile_text.lines().collect();
        let step_text = self
            .bk
            .current
            .split_once("] ")
            .map(|(_, t)| t)
            .unwrap_or("");
        if let Some(at) = source.iter().position(|l| l.trim() == step_text.trim()) {
            out.push_str(&format!(
                "{}:{}\n--------------------\n",
                self.dockerfile_name(),
                at + 1
            ));
            let from = at.saturating_sub(2);
            let to = (at + 2).min(source.len());
            for (i, line) in source.iter().enumerate().take(to + 1).skip(from) {
                let mark = if i == at { ">>>" } else { "   " };
                out.push_str(&format!(" {:>3} | {mark} {line}\n", i + 1));
            }
            if to == source.len() {
                out.push_str(&format!(" {:>3} |     \n", source.len() + 1));
            }
            out.push_str("--------------------\n");
        }
        out.push_str(&format!("ERROR: failed to solve: {failure}"));
        out
    }

    fn dockerfile_name(&self) -> String {
        if self.options.dockerfile.is_empty() {
            "Dockerfile".into()
        } else {
            self.options.dockerfile.clone()
        }
    }

    /// `docker.io/library/alpine:latest@sha256:...`, as BuildKit names a base.
    fn resolved_name(&self, image: &str, id: Option<&Digest>) -> String {
        let Ok(named) = reference::parse_normalized(image) else {
            return image.to_string();
        };
        let named = named.with_default_tag();
        let digest = id
            .and_then(|id| self.engine.images.get(id))
            .and_then(|i| {
                i.repo_digests
                    .iter()
                    .find(|d| d.starts_with(&format!("{}@", named.full_name())))
                    .cloned()
            })
            .and_then(|d| d.split_once('@').map(|(_, d)| d.to_string()));
        match digest {
            Some(d) => format!("{named}@{d}"),
            None => named.to_string(),
        }
    }

    /// Opens BuildKit vertex `#N` with its title.
    fn vertex(&mut self, title: &str) {
        self.bk.vertex += 1;
        self.bk.lines.clear();
        self.bk.current = title.to_string();
        let text = format!("#{} {title}\n", self.bk.vertex);
        self.say(&text);
    }

    fn vertex_line(&mut self, line: &str) {
        let text = format!("#{} {line}\n", self.bk.vertex);
        self.say(&text);
    }

    fn vertex_done(&mut self) {
        let text = format!("#{} DONE 0.0s\n\n", self.bk.vertex);
        self.say(&text);
    }

    fn step_header(&mut self, instruction: &Instruction) {
        if self.bk.on {
            self.bk.in_vertex = makes_vertex(&instruction.kind);
            if makes_vertex(&instruction.kind) {
                let from_context = match &instruction.kind {
                    InstructionKind::Copy(c) => c.from.is_none(),
                    InstructionKind::Add(_) => true,
                    _ => false,
                };
                if from_context && !self.bk.context_loaded {
                    self.bk.context_loaded = true;
                    let size = self.bk.context_size;
                    self.vertex("[internal] load build context");
                    self.vertex_line(&format!("transferring context: {size}B done"));
                    self.vertex_done();
                }
                self.bk.step += 1;
                let title = format!(
                    "[{}{}/{}] {}",
                    self.bk.label, self.bk.step, self.bk.steps, instruction.original
                );
                self.vertex(&title);
            }
            return;
        }
        self.step += 1;
        let text = format!(
            "Step {}/{} : {}\n",
            self.step, self.total, instruction.original
        );
        self.say(&text);
    }

    /// The base of a stage: `scratch`, an earlier stage, a local image, or a pull.
    fn from(&mut self, image: &str) -> Result<StageState> {
        if image == "scratch" {
            return Ok(StageState {
                image: None,
                config: ContainerConfig {
                    env: Some(vec![DEFAULT_PATH.into()]),
                    ..Default::default()
                },
                diff_ids: Vec::new(),
                history: Vec::new(),
                args: Vec::new(),
            });
        }
        let lower = image.to_ascii_lowercase();
        if let Some((_, _, state)) = self
            .stages
            .iter()
            .rev()
            .find(|(i, n, _)| *i < self.current_stage && n.as_deref() == Some(lower.as_str()))
        {
            let mut state = state.clone();
            state.args.clear();
            return Ok(state);
        }
        let id = match self.engine.images.lookup(image) {
            Ok((id, _)) => id,
            Err(EngineError::NoSuchImage(_)) => {
                let named = reference::parse_normalized(image)
                    .map_err(|e| EngineError::InvalidReference(e.to_string()))?;
                let tag = named.tag().map(str::to_string).unwrap_or_default();
                let mut lines = Vec::new();
                self.engine.pull(&named.full_name(), &tag, &mut |m| {
                    if m.progress_detail
                        .as_ref()
                        .is_some_and(|p| p.total.unwrap_or(0) > 0)
                    {
                        return;
                    }
                    let id =
                        m.id.as_deref()
                            .map(|i| format!("{i}: "))
                            .unwrap_or_default();
                    lines.push(format!("{id}{}\n", m.status.as_deref().unwrap_or("")));
                })?;
                // BuildKit shows the pull as the FROM vertex's `resolve` line instead.
                if !self.bk.on {
                    for line in lines {
                        self.say(&line);
                    }
                }
                self.engine.images.lookup(image)?.0
            }
            Err(e) => return Err(e),
        };
        let record = self.engine.images.get(&id).expect("looked up").clone();
        let config = ImageConfigFile::from_bytes(&self.engine.content.read(&id)?).map_err(|e| {
            EngineError::CorruptState {
                path: self.engine.content.blob_path(&id),
                reason: e.to_string(),
            }
        })?;
        Ok(StageState {
            image: Some(id),
            config: config.config,
            diff_ids: record.layers,
            history: config.history,
            args: Vec::new(),
        })
    }

    /// The filesystem `COPY --from=NAME` copies from: a stage built already (by name or
    /// index), else an image. The classic builder only knows stages before the current
    /// one and says a bad value is an "invalid from flag value"; BuildKit built every
    /// stage named already, in dependency order.
    fn copy_source(&mut self, from: &str) -> Result<StageState> {
        let lower = from.to_ascii_lowercase();
        let built = self.stages.iter().rev().find(|(i, n, _)| {
            n.as_deref() == Some(lower.as_str())
                || from.parse::<usize>().is_ok_and(|wanted| wanted == *i)
        });
        if let Some((index, _, state)) = built
            && (self.bk.on || *index < self.current_stage)
        {
            return Ok(state.clone());
        }
        let stage_before = self.current_stage;
        // An image: looked up without stage names in the way.
        self.current_stage = 0;
        let result = self.from(from);
        self.current_stage = stage_before;
        match result {
            Ok(state) => Ok(state),
            Err(e) if !self.bk.on => {
                let why = match &e {
                    EngineError::BuildFailed { message, .. } => message.clone(),
                    other => other.to_string(),
                };
                Err(failed(format!("invalid from flag value {from}: {why}")))
            }
            Err(e) => Err(e),
        }
    }

    /// Pulls `image` without printing its progress: BuildKit shows no pull lines.
    fn pull_quietly(&mut self, image: &str) -> Result<()> {
        let named = reference::parse_normalized(image)
            .map_err(|e| EngineError::InvalidReference(e.to_string()))?;
        let tag = named.tag().map(str::to_string).unwrap_or_default();
        self.engine.pull(&named.full_name(), &tag, &mut |_| {})?;
        Ok(())
    }

    /// A reference to the build's cache-key inputs as BuildKit's errors name them.
    fn bk_ref(&self) -> String {
        let digest = Digest::sha256(self.dockerfile_text.as_bytes());
        digest.hex()[..25].to_string()
    }

    /// BuildKit's report of an error at Dockerfile line `line` (1-based): the lines
    /// around it, then the error.
    fn source_summary(&self, line: usize, failure: &str) -> String {
        let mut out = String::new();
        let source: Vec<&str> = self.dockerfile_text.lines().collect();
        if line >= 1 && line <= source.len() {
            let at = line - 1;
            out.push_str(&format!(
                "{}:{}\n--------------------\n",
                self.dockerfile_name(),
                line
            ));
            let from = at.saturating_sub(2);
            let to = (at + 2).min(source.len());
            for (i, text) in source.iter().enumerate().take(to + 1).skip(from) {
                let mark = if i == at { ">>>" } else { "   " };
                out.push_str(&format!(" {:>3} | {mark} {text}\n", i + 1));
            }
            if to == source.len() {
                out.push_str(&format!(" {:>3} |     \n", source.len() + 1));
            }
            out.push_str("--------------------\n");
        }
        out.push_str(&format!("ERROR: failed to solve: {failure}"));
        out
    }

    /// The environment words see: the stage's ENV, then its ARGs with values.
    fn lookup_env(state: &StageState) -> impl Fn(&str) -> Option<String> + '_ {
        move |name: &str| {
            let env = state.config.env.as_deref().unwrap_or_default();
            env.iter()
                .rev()
                .find_map(|e| e.strip_prefix(name).and_then(|rest| rest.strip_prefix('=')))
                .map(str::to_string)
                .or_else(|| {
                    state
                        .args
                        .iter()
                        .rev()
                        .find(|(k, _)| k == name)
                        .and_then(|(_, v)| v.clone())
                })
        }
    }

    fn dispatch(&mut self, state: &mut StageState, instruction: &Instruction) -> Result<()> {
        let kind = {
            let env = Self::lookup_env(state);
            instruction
                .kind
                .expanded(self.escape, &env)
                .map_err(|e| failed(e.to_string()))?
        };
        let shell: Vec<String> = state
            .config
            .shell
            .clone()
            .unwrap_or_else(|| DEFAULT_SHELL.map(String::from).to_vec());
        let mut config = state.config.clone();
        let comment = match &kind {
            InstructionKind::Run(run) => return self.run_step(state, run, &shell),
            InstructionKind::Copy(copy) => return self.copy_step(state, copy, "COPY"),
            InstructionKind::Add(copy) => return self.copy_step(state, copy, "ADD"),
            InstructionKind::Workdir(dir) => return self.workdir_step(state, dir, &shell),
            InstructionKind::Arg(args) => {
                let mut text = String::from("ARG");
                for arg in args {
                    let value = match self.build_arg(&arg.name) {
                        Some(v) => {
                            self.used_args.insert(arg.name.clone());
                            v.or_else(|| arg.default.clone())
                        }
                        None => arg.default.clone(),
                    };
                    state.args.retain(|(k, _)| k != &arg.name);
                    state.args.push((arg.name.clone(), value));
                    text.push(' ');
                    text.push_str(&arg.name);
                    if let Some(d) = &arg.default {
                        text.push('=');
                        text.push_str(d);
                    }
                }
                text
            }
            InstructionKind::From(_) => unreachable!("FROM starts a stage"),
            other => apply_config_instruction(&mut config, other, &shell, &instruction.original)
                .expect("every other instruction changes the config"),
        };
        let mut cmd = shell.clone();
        cmd.push("#(nop) ".into());
        cmd.push(comment);
        self.metadata_step(state, config, cmd)
    }

    /// A step that changes only the config: a container is created and committed with
    /// no changes, so its layer is empty.
    fn metadata_step(
        &mut self,
        state: &mut StageState,
        config: ContainerConfig,
        cmd: Vec<String>,
    ) -> Result<()> {
        let created_by = if self.bk.on {
            cmd.last().cloned().unwrap_or_default()
        } else {
            cmd.join(" ")
        };
        let container_config = cache_config(&config, cmd);
        if self.try_cache(state, &container_config)? {
            return Ok(());
        }
        let container = self.running_in();
        self.commit(
            state,
            config,
            container_config,
            created_by,
            None,
            &container,
        )
    }

    fn workdir_step(&mut self, state: &mut StageState, dir: &str, shell: &[String]) -> Result<()> {
        let current = state
            .config
            .working_dir
            .clone()
            .unwrap_or_else(|| "/".into());
        let dir = crate::engine::fs::normalise(&if dir.starts_with('/') {
            dir.to_string()
        } else {
            format!("{current}/{dir}")
        });
        let mut config = state.config.clone();
        config.working_dir = Some(dir.clone());
        let mut cmd = shell.to_vec();
        cmd.push(format!("#(nop) WORKDIR {dir}"));
        let created_by = if self.bk.on {
            format!("WORKDIR {dir}")
        } else {
            cmd.join(" ")
        };
        let container_config = cache_config(&config, cmd);
        if self.try_cache(state, &container_config)? {
            return Ok(());
        }
        let container = self.running_in();
        let mut snapshot = self.snapshot(state)?;
        mkdir_all(&mut snapshot, &dir, 0, 0)?;
        let layer = snapshot.commit();
        self.commit(
            state,
            config,
            container_config,
            created_by,
            Some(layer),
            &container,
        )
    }

    fn run_step(
        &mut self,
        state: &mut StageState,
        run: &dockerfile::Run,
        shell: &[String],
    ) -> Result<()> {
        if let Some(flag) = run.flags_used.first() {
            return Err(failed(format!(
                "the --{flag} option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled"
            )));
        }
        let argv = run.command.to_argv(shell);
        // Build args in effect show in the history and the cache key as `|N K=V ...`.
        let args_in_effect: Vec<String> = state
            .args
            .iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
            .filter(|kv| {
                let key = kv.split('=').next().unwrap_or("");
                !state
                    .config
                    .env
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .any(|e| e.split('=').next() == Some(key))
            })
            .collect();
        let mut saved = argv.clone();
        if !args_in_effect.is_empty() {
            let mut prefixed = vec![format!("|{}", args_in_effect.len())];
            prefixed.extend(args_in_effect.iter().cloned());
            prefixed.extend(saved);
            saved = prefixed;
        }
        let created_by = if self.bk.on {
            format!("RUN {} # buildkit", saved.join(" "))
        } else {
            saved.join(" ")
        };
        let config = state.config.clone();
        let container_config = cache_config(&config, saved);
        if self.try_cache(state, &container_config)? {
            return Ok(());
        }
        let container = self.running_in();
        let mut snapshot = self.snapshot(state)?;
        let flavour = crate::engine::runtime::flavour_of(&snapshot);
        let workdir = config
            .working_dir
            .clone()
            .filter(|w| !w.is_empty())
            .unwrap_or_else(|| "/".into());
        if !snapshot.exists(&workdir) {
            mkdir_all(&mut snapshot, &workdir, 0, 0)?;
        }
        let mut sh = Shell::with_resolver(snapshot, flavour, Box::new(DefaultResolver));
        for var in config.env.iter().flatten() {
            if let Some((k, v)) = var.split_once('=') {
                sh.export(k, v);
            }
        }
        for kv in &args_in_effect {
            if let Some((k, v)) = kv.split_once('=') {
                sh.export(k, v);
            }
        }
        let _ = sh.set_cwd(&workdir);
        let log = Interleaved::default();
        let mut stdout = log.writer(1);
        let mut stderr = log.writer(2);
        let mut host = ContainerHost::new(self.engine.clock.now());
        let status = match (
            argv.first().map(String::as_str),
            argv.get(1).map(String::as_str),
        ) {
            (Some(first), Some("-c")) if argv.len() == 3 && first.ends_with("sh") => {
                sh.set_positional(first, Vec::new());
                sh.run(
                    &argv[2],
                    &mut host,
                    Streams::new(&[], &mut stdout, &mut stderr),
                )
            }
            _ => {
                let line = argv
                    .iter()
                    .map(|a| crate::engine::runtime::shell_quote(a))
                    .collect::<Vec<_>>()
                    .join(" ");
                sh.run(
                    &line,
                    &mut host,
                    Streams::new(&[], &mut stdout, &mut stderr),
                )
            }
        };
        let chunks: Vec<(bool, Vec<u8>)> = log
            .chunks()
            .into_iter()
            .map(|(stream, bytes)| (stream == 2, bytes))
            .collect();
        if self.bk.on {
            // BuildKit prefixes every line with the vertex and the seconds since it
            // started; the lab's steps take no time, so the clock ticks per line.
            let mut n = 0;
            for (_, bytes) in &chunks {
                for line in String::from_utf8_lossy(bytes).lines() {
                    n += 1;
                    let stamped = format!("{:.3} {line}", 0.1 + 0.01 * f64::from(n));
                    self.bk.lines.push(stamped.clone());
                    let text = format!("#{} {stamped}\n", self.bk.vertex);
                    self.say(&text);
                }
            }
        } else {
            for (err, bytes) in &chunks {
                let text = String::from_utf8_lossy(bytes);
                let text = if *err {
                    format!("\x1b[91m{text}\x1b[0m")
                } else {
                    text.into_owned()
                };
                self.say(&text);
            }
        }
        if status != 0 && self.bk.on {
            let process = argv
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
                .join(" ");
            let failure =
                format!("process \"{process}\" did not complete successfully: exit code: {status}");
            let text = format!("#{} ERROR: {failure}\n", self.bk.vertex);
            self.say(&text);
            return Err(EngineError::BuildFailed {
                message: self.buildkit_summary(&failure),
                code: 1,
            });
        }
        if status != 0 {
            return Err(EngineError::BuildFailed {
                message: format!(
                    "The command '{}' returned a non-zero code: {status}",
                    argv.join(" ")
                ),
                code: i64::from(status),
            });
        }
        let layer = sh.fs().upper().clone();
        self.commit(
            state,
            config,
            container_config,
            created_by,
            Some(layer),
            &container,
        )
    }

    fn copy_step(&mut self, state: &mut StageState, copy: &Copy, verb: &str) -> Result<()> {
        if copy.link {
            return Err(failed(
                "the --link option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled".to_string(),
            ));
        }
        let workdir = state
            .config
            .working_dir
            .clone()
            .filter(|w| !w.is_empty())
            .unwrap_or_else(|| "/".into());
        let (uid, gid) = match &copy.chown {
            Some(spec) => parse_chown(spec).ok_or_else(|| {
                failed(format!("{verb} failed: unable to convert uid/gid chown string to host mapping: can't find uid for user {spec}: no such user: {spec}"))
            })?,
            None => (0, 0),
        };
        let chmod = match &copy.chmod {
            Some(m) => Some(
                u32::from_str_radix(m, 8)
                    .map_err(|_| failed(format!("invalid chmod parameter: {m}")))?,
            ),
            None => None,
        };
        // Where sources come from: the context, or an earlier stage's filesystem.
        let source_view: Option<Snapshot> = match &copy.from {
            None => None,
            Some(from) => {
                let base = self.copy_source(from)?;
                Some(Snapshot::view(self.engine.layer_stack(&base.diff_ids)?))
            }
        };
        let mut files: Vec<(String, Node)> = Vec::new();
        let mut hashes: Vec<String> = Vec::new();
        let mut kinds: Vec<&str> = Vec::new();
        let many = copy.sources.len() + copy.inline_sources.len() > 1;
        for source in &copy.sources {
            if verb == "ADD" && (source.starts_with("http://") || source.starts_with("https://")) {
                return Err(failed(format!(
                    "ADD failed: failed to GET {source}: the lab is offline; put the file in the build context and COPY it instead"
                )));
            }
            let clean = crate::engine::fs::normalise(source);
            if escapes_context(source) {
                return Err(failed(format!(
                    "{verb} failed: forbidden path outside the build context: {source} ()"
                )));
            }
            let matched = self.match_sources(source_view.as_ref(), &clean);
            if matched.is_empty() {
                let text = if has_wildcard(source) {
                    format!("{verb} failed: no source files were specified")
                } else if copy.from.is_some() && !self.bk.on {
                    // Another stage or an image: no build context to blame.
                    format!(
                        "{verb} failed: stat {}: file does not exist",
                        clean.trim_start_matches('/')
                    )
                } else if self.bk.on {
                    format!(
                        "failed to compute cache key: failed to calculate checksum of ref moby::{}: \"{}\": not found",
                        self.bk_ref(),
                        if clean.starts_with('/') {
                            clean.clone()
                        } else {
                            format!("/{clean}")
                        }
                    )
                } else {
                    format!(
                        "{verb} failed: file not found in build context or excluded by .dockerignore: stat {}: file does not exist",
                        source.trim_start_matches("./")
                    )
                };
                return Err(failed(text));
            }
            for (path, node) in matched {
                if node.is_dir() {
                    kinds.push("dir");
                    let mut listing = Vec::new();
                    for (sub, child) in self.tree_under(source_view.as_ref(), &path) {
                        listing.push(format!("{sub}:{}", content_hash(&child)));
                        files.push((format!("DIR{}", sub), child));
                    }
                    hashes.push(sha(&listing.join("\n")));
                    // Directory contents land under the destination itself.
                    for f in files.iter_mut().filter(|(k, _)| k.starts_with("DIR")) {
                        f.0 = format!("REL{}", &f.0[3..]);
                    }
                } else {
                    kinds.push("file");
                    hashes.push(content_hash(&node));
                    let base = path.rsplit('/').next().unwrap_or("").to_string();
                    files.push((format!("ONE{base}"), node));
                }
            }
        }
        for inline in &copy.inline_sources {
            kinds.push("file");
            hashes.push(sha(&inline.data));
            let node = Node::file(
                inline.data.as_bytes().to_vec(),
                0o644,
                Timestamp::from_secs(self.engine.clock.now().timestamp()),
            );
            files.push((format!("ONE{}", inline.path.trim_start_matches('/')), node));
        }
        let hash_text = if kinds.len() == 1 {
            format!("{}:{}", kinds[0], hashes[0])
        } else {
            format!("multi:{}", sha(&hashes.join(",")))
        };
        let dest_dir_given =
            copy.dest.ends_with('/') || copy.dest == "." || many || kinds.contains(&"dir");
        let dest = if copy.dest.starts_with('/') {
            copy.dest.clone()
        } else {
            format!("{}/{}", workdir.trim_end_matches('/'), copy.dest)
        };
        let dest = crate::engine::fs::normalise(&dest);
        let shell: Vec<String> = state
            .config
            .shell
            .clone()
            .unwrap_or_else(|| DEFAULT_SHELL.map(String::from).to_vec());
        let mut cmd = shell.clone();
        cmd.push(format!("#(nop) {verb} {hash_text} in {} ", copy.dest));
        let created_by = if self.bk.on {
            let mut words = copy.sources.clone();
            words.push(copy.dest.clone());
            format!("{verb} {} # buildkit", words.join(" "))
        } else {
            cmd.join(" ")
        };
        let config = state.config.clone();
        let container_config = cache_config(&config, cmd);
        if self.try_cache(state, &container_config)? {
            return Ok(());
        }
        let mut snapshot = self.snapshot(state)?;
        let dest_is_dir = dest_dir_given
            || snapshot
                .metadata(&dest)
                .map(|m| m.is_dir())
                .unwrap_or(false);
        if dest_is_dir {
            mkdir_all(&mut snapshot, &dest, uid, gid)?;
        } else {
            mkdir_all(
                &mut snapshot,
                crate::engine::fs::normalise(&format!("{dest}/..")).as_str(),
                uid,
                gid,
            )?;
        }
        for (key, mut node) in files {
            node.uid = uid;
            node.gid = gid;
            if let Some(mode) = chmod {
                node.mode = mode;
            }
            let target = if let Some(rel) = key.strip_prefix("REL") {
                format!("{}{}", dest.trim_end_matches('/'), rel)
            } else {
                let base = &key[3..];
                if dest_is_dir {
                    format!("{}/{}", dest.trim_end_matches('/'), base)
                } else {
                    dest.clone()
                }
            };
            if verb == "ADD"
                && !node.is_dir()
                && let Some(archive) = local_archive(&node)
            {
                self.extract(&mut snapshot, &archive, &dest, uid, gid)?;
                continue;
            }
            if node.is_dir() {
                mkdir_all(&mut snapshot, &target, uid, gid)?;
                continue;
            }
            snapshot
                .put_node(&target, node)
                .map_err(|e| failed(format!("{verb} failed: {e}")))?;
        }
        let layer = snapshot.commit();
        self.commit(state, config, container_config, created_by, Some(layer), "")
    }

    /// Context (or stage) entries a COPY source names: the path itself, or the paths a
    /// wildcard pattern matches.
    fn match_sources(&self, view: Option<&Snapshot>, clean: &str) -> Vec<(String, Node)> {
        let lookup = |path: &str| -> Option<Node> {
            match view {
                Some(v) => v.lookup(path).cloned(),
                None => match self.context.get(path) {
                    Some(LayerEntry::Put(n)) | Some(LayerEntry::Opaque(n)) => Some(n.clone()),
                    _ if path == "/" => Some(Node::dir(0o755, Timestamp::default())),
                    _ => None,
                },
            }
        };
        if !has_wildcard(clean) {
            return lookup(clean)
                .map(|n| vec![(clean.to_string(), n)])
                .unwrap_or_default();
        }
        let candidates: Vec<String> = match view {
            Some(v) => v.flatten().keys().cloned().collect(),
            None => self.context.entries().keys().cloned().collect(),
        };
        candidates
            .into_iter()
            .filter(|p| crate::engine::glob_match(clean, p))
            .filter_map(|p| lookup(&p).map(|n| (p, n)))
            .collect()
    }

    /// Everything under directory `dir`, as (path relative to `dir` with a leading `/`,
    /// node), parents first.
    fn tree_under(&self, view: Option<&Snapshot>, dir: &str) -> Vec<(String, Node)> {
        let prefix = if dir == "/" {
            "/".to_string()
        } else {
            format!("{dir}/")
        };
        let all: Vec<(String, Node)> = match view {
            Some(v) => v.flatten().into_iter().collect(),
            None => self
                .context
                .entries()
                .iter()
                .filter_map(|(p, e)| match e {
                    LayerEntry::Put(n) | LayerEntry::Opaque(n) => Some((p.clone(), n.clone())),
                    LayerEntry::Whiteout => None,
                })
                .collect(),
        };
        all.into_iter()
            .filter_map(|(p, n)| p.strip_prefix(&prefix).map(|rel| (format!("/{rel}"), n)))
            .collect()
    }

    fn extract(
        &mut self,
        snapshot: &mut Snapshot,
        archive: &[u8],
        dest: &str,
        uid: u32,
        gid: u32,
    ) -> Result<()> {
        let layer = Layer::from_tar(Arc::from(archive.to_vec()))
            .map_err(|e| failed(format!("ADD failed: {e}")))?;
        mkdir_all(snapshot, dest, uid, gid)?;
        for (path, entry) in layer.entries() {
            if let LayerEntry::Put(node) | LayerEntry::Opaque(node) = entry {
                // Paths were normalised under `/` when read, so none leaves `dest`.
                let target = crate::engine::fs::normalise(&format!("{dest}{path}"));
                if node.is_dir() {
                    mkdir_all(snapshot, &target, node.uid, node.gid)?;
                } else {
                    snapshot
                        .put_node(&target, node.clone())
                        .map_err(|e| failed(format!("ADD failed: {e}")))?;
                }
            }
        }
        Ok(())
    }

    fn snapshot(&mut self, state: &StageState) -> Result<Snapshot> {
        let stack = self.engine.layer_stack(&state.diff_ids)?;
        let mut snapshot = Snapshot::prepare(stack);
        snapshot.set_time(self.engine.clock.now().timestamp());
        Ok(snapshot)
    }

    fn running_in(&mut self) -> String {
        let id = self.engine.ids.hex_id();
        if self.bk.on {
            return id;
        }
        let text = format!(" ---> Running in {}\n", &id[..12]);
        self.say(&text);
        id
    }

    /// The newest image built on the same parent whose step matches, if caching.
    fn try_cache(
        &mut self,
        state: &mut StageState,
        container_config: &ContainerConfig,
    ) -> Result<bool> {
        if self.options.no_cache {
            return Ok(false);
        }
        let mut candidates: Vec<ImageRecord> = self
            .engine
            .images
            .images()
            .filter(|i| i.parent == state.image && i.manifest.is_none())
            .cloned()
            .collect();
        candidates.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.id.cmp(&b.id)));
        for candidate in candidates {
            let Ok(bytes) = self.engine.content.read(&candidate.id) else {
                continue;
            };
            let Ok(config) = ImageConfigFile::from_bytes(&bytes) else {
                continue;
            };
            if &config.container_config == container_config {
                if self.bk.on {
                    if self.bk.in_vertex {
                        self.bk.cached = true;
                        let text = format!("#{} CACHED\n\n", self.bk.vertex);
                        self.say(&text);
                    }
                } else {
                    self.say(" ---> Using cache\n");
                }
                state.image = Some(candidate.id.clone());
                state.config = config.config;
                state.diff_ids = candidate.layers.clone();
                state.history = config.history;
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Commits a step: stores its layer (unless empty), writes the image config, records
    /// the image with its parent.
    fn commit(
        &mut self,
        state: &mut StageState,
        config: ContainerConfig,
        container_config: ContainerConfig,
        created_by: String,
        layer: Option<Layer>,
        container: &str,
    ) -> Result<()> {
        let now = self.engine.now_rfc3339();
        let mut diff_ids = state.diff_ids.clone();
        let mut empty = true;
        if let Some(layer) = layer
            && let Some(diff_id) = self.engine.store_layer(&layer)?
        {
            empty = false;
            self.engine
                .layer_cache
                .insert(diff_id.clone(), Arc::new(layer));
            diff_ids.push(diff_id);
        }
        let mut history = state.history.clone();
        history.push(HistoryRow {
            created: now.clone(),
            author: None,
            created_by,
            comment: self.bk.on.then(|| "buildkit.dockerfile.v0".to_string()),
            empty_layer: empty,
        });
        let file = ImageConfigFile {
            architecture: "amd64".into(),
            config: config.clone(),
            container: container.to_string(),
            container_config,
            created: now.clone(),
            docker_version: crate::engine::DOCKER_VERSION.into(),
            author: None,
            comment: None,
            history: history.clone(),
            os: "linux".into(),
            parent: state.image.as_ref().map(|p| p.to_string()),
            rootfs: RootFsJson {
                kind: "layers".into(),
                diff_ids: diff_ids.clone(),
            },
        };
        let bytes = file.to_bytes();
        let id = self.engine.content.put(&bytes)?;
        if !container.is_empty() && !self.bk.on {
            let text = format!(
                " ---> Removed intermediate container {}\n",
                &container[..12]
            );
            self.say(&text);
        }
        let size = diff_ids
            .iter()
            .filter_map(|d| self.engine.images.layer(d))
            .map(|l| l.unpacked_size)
            .sum();
        self.engine.images.insert_image(ImageRecord {
            id: id.clone(),
            manifest: None,
            parent: state.image.clone(),
            repo_digests: BTreeSet::new(),
            layers: diff_ids.clone(),
            size,
            created: crate::engine::image::parse_time(Some(&now)),
            last_tag_time: None,
            buildkit: self.bk.on,
        });
        state.image = Some(id);
        state.config = config;
        state.diff_ids = diff_ids;
        state.history = history;
        Ok(())
    }
}

/// The build args Docker knows without an ARG line (proxies), never reported unused.
const PREDEFINED_ARGS: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
];

const DEFAULT_PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The config the cache compares: the step's command in `Cmd`, nothing per-container.
/// Applies an instruction that changes only the image's config (CMD, ENV, LABEL, USER,
/// ...), as a build step does and as `docker commit -c` and `docker import -c` do; its
/// text for the history's `#(nop)` row. `None` for instructions that do more.
pub(crate) fn apply_config_instruction(
    config: &mut ContainerConfig,
    kind: &InstructionKind,
    shell: &[String],
    original: &str,
) -> Option<String> {
    Some(match kind {
        InstructionKind::Cmd(cmd) => {
            config.cmd = Some(cmd.to_argv(shell));
            format!(
                "CMD {}",
                go_quote_list(config.cmd.as_deref().unwrap_or_default())
            )
        }
        InstructionKind::Entrypoint(cmd) => {
            config.entrypoint = Some(cmd.to_argv(shell));
            // An ENTRYPOINT resets the CMD inherited from the base image.
            if !matches!(cmd, CommandLine::Empty) || config.cmd.is_some() {
                config.cmd = None;
            }
            format!(
                "ENTRYPOINT {}",
                go_quote_list(config.entrypoint.as_deref().unwrap_or_default())
            )
        }
        InstructionKind::Env(pairs) => {
            let mut env = config.env.take().unwrap_or_default();
            let mut text = String::from("ENV");
            for (k, v) in pairs {
                env.retain(|e| e.split('=').next() != Some(k.as_str()));
                env.push(format!("{k}={v}"));
                text.push_str(&format!(" {k}={v}"));
            }
            config.env = Some(env);
            text
        }
        InstructionKind::Label(pairs) => {
            let mut labels = config.labels.take().unwrap_or_default();
            let mut text = String::from("LABEL");
            for (k, v) in pairs {
                labels.insert(k.clone(), v.clone());
                text.push_str(&format!(" {k}={v}"));
            }
            config.labels = Some(labels);
            text
        }
        InstructionKind::Expose(ports) => {
            let mut all = config.exposed_ports.take().unwrap_or_default();
            // As the daemon keys them: `80` is `80/tcp`, a range is each of its ports.
            for p in ports.iter().flat_map(|p| exposed_keys(p)) {
                if !all.contains(&p) {
                    all.push(p);
                }
            }
            all.sort();
            config.exposed_ports = Some(all);
            format!("EXPOSE {}", ports.join(" "))
        }
        InstructionKind::User(user) => {
            config.user = Some(user.clone());
            format!("USER {user}")
        }
        InstructionKind::Volume(volumes) => {
            let mut all = config.volumes.take().unwrap_or_default();
            for v in volumes {
                if !all.contains(v) {
                    all.push(v.clone());
                }
            }
            config.volumes = Some(all);
            format!("VOLUME [{}]", volumes.join(" "))
        }
        InstructionKind::StopSignal(signal) => {
            config.stop_signal = Some(signal.clone());
            format!("STOPSIGNAL {signal}")
        }
        InstructionKind::Shell(words) => {
            config.shell = Some(words.clone());
            format!("SHELL {}", go_quote_list(words))
        }
        InstructionKind::Maintainer(name) => format!("MAINTAINER {name}"),
        InstructionKind::Onbuild(trigger) => {
            let mut triggers = config.on_build.take().unwrap_or_default();
            triggers.push(trigger.expression.clone());
            config.on_build = Some(triggers);
            format!("ONBUILD {}", trigger.expression)
        }
        InstructionKind::Healthcheck(check) => {
            config.healthcheck = Some(healthcheck_config(check));
            format!(
                "HEALTHCHECK {}",
                original
                    .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                    .trim()
            )
        }
        _ => return None,
    })
}

fn cache_config(config: &ContainerConfig, cmd: Vec<String>) -> ContainerConfig {
    ContainerConfig {
        cmd: Some(cmd),
        hostname: None,
        ..config.clone()
    }
}

/// Go's `%q` of a string slice: `["/bin/sh" "-c" "./hello.sh"]`.
fn go_quote_list(words: &[String]) -> String {
    let quoted: Vec<String> = words
        .iter()
        .map(|w| serde_json::to_string(w).expect("strings serialise"))
        .collect();
    format!("[{}]", quoted.join(" "))
}

fn healthcheck_config(check: &dockerfile::Healthcheck) -> bollard_stubs::models::HealthConfig {
    let nanos = |d: &Option<std::time::Duration>| d.map(|d| d.as_nanos() as i64);
    match check {
        dockerfile::Healthcheck::None => bollard_stubs::models::HealthConfig {
            test: Some(vec!["NONE".into()]),
            ..Default::default()
        },
        dockerfile::Healthcheck::Check {
            test,
            interval,
            timeout,
            start_period,
            start_interval,
            retries,
        } => bollard_stubs::models::HealthConfig {
            test: Some(test.clone()),
            interval: nanos(interval),
            timeout: nanos(timeout),
            start_period: nanos(start_period),
            start_interval: nanos(start_interval),
            retries: retries.map(i64::from),
        },
    }
}

fn mkdir_all(snapshot: &mut Snapshot, dir: &str, uid: u32, gid: u32) -> Result<()> {
    let mut path = String::new();
    for part in dir.split('/').filter(|p| !p.is_empty()) {
        path.push('/');
        path.push_str(part);
        match snapshot.metadata(&path) {
            Ok(m) if m.is_dir() => continue,
            Ok(_) => return Err(failed(format!("mkdir {path}: not a directory"))),
            Err(_) => {
                let mut node = Node::dir(0o755, Timestamp::default());
                node.uid = uid;
                node.gid = gid;
                snapshot
                    .put_node(&path, node)
                    .map_err(|e| failed(format!("mkdir {path}: {e}")))?;
            }
        }
    }
    Ok(())
}

fn escapes_context(source: &str) -> bool {
    let mut depth: i32 = 0;
    for part in source.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => depth += 1,
        }
    }
    false
}

fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

fn sha(text: &str) -> String {
    Digest::sha256(text.as_bytes()).hex().to_string()
}

fn content_hash(node: &Node) -> String {
    match &node.kind {
        NodeKind::File(c) => Digest::sha256(c.as_bytes()).hex().to_string(),
        NodeKind::Symlink(t) => sha(t),
        _ => sha(""),
    }
}

/// The most an archive ADD unpacks may grow to: past this it is refused, so a
/// compression bomb in the build context cannot fill the state directory.
const MAX_UNPACKED_ARCHIVE: u64 = 2 << 30;

/// A local tar archive ADD unpacks: plain, gzip, bzip2 or xz compressed, as Docker's
/// archive detection knows them. Anything else is copied as a file.
fn local_archive(node: &Node) -> Option<Vec<u8>> {
    use std::io::Read;
    let NodeKind::File(content) = &node.kind else {
        return None;
    };
    let bytes = content.as_bytes();
    let capped = |reader: &mut dyn Read| -> Option<Vec<u8>> {
        let mut out = Vec::new();
        reader
            .take(MAX_UNPACKED_ARCHIVE + 1)
            .read_to_end(&mut out)
            .ok()?;
        (out.len() as u64 <= MAX_UNPACKED_ARCHIVE).then_some(out)
    };
    let unpacked = if bytes.starts_with(&[0x1f, 0x8b]) {
        capped(&mut flate2::read::GzDecoder::new(bytes))?
    } else if bytes.starts_with(b"BZh") {
        capped(&mut bzip2::read::BzDecoder::new(bytes))?
    } else if bytes.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
        let mut out = CappedWriter(Vec::new());
        lzma_rs::xz_decompress(&mut std::io::BufReader::new(bytes), &mut out).ok()?;
        out.0
    } else {
        return is_tar(bytes).then(|| bytes.to_vec());
    };
    is_tar(&unpacked).then_some(unpacked)
}

/// A writer that refuses to grow past `MAX_UNPACKED_ARCHIVE`.
struct CappedWriter(Vec<u8>);

impl Write for CappedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len() as u64 + buf.len() as u64 > MAX_UNPACKED_ARCHIVE {
            return Err(std::io::Error::other("archive too large to unpack"));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn is_tar(bytes: &[u8]) -> bool {
    bytes.len() >= 512 && &bytes[257..262] == b"ustar"
}

fn parse_chown(spec: &str) -> Option<(u32, u32)> {
    let (user, group) = spec.split_once(':').unwrap_or((spec, spec));
    let id = |s: &str| -> Option<u32> {
        match s {
            "root" => Some(0),
            n => n.parse().ok(),
        }
    };
    Some((id(user)?, id(group)?))
}

/// The instructions BuildKit shows as steps; the others only change the config.
/// How a Dockerfile's stages depend on each other, as BuildKit plans a build: a stage
/// needs its base when that names an earlier stage, and every stage its `COPY --from`
/// names (earlier or later, by name or index).
struct StagePlan {
    /// Per stage: (stage needed, the line of the instruction that needs it).
    needs: Vec<Vec<(usize, usize)>>,
    /// Per stage: whether it depends on the stage through `COPY --from` (not its base).
    copies: Vec<Vec<(usize, usize)>>,
    names: Vec<String>,
}

impl StagePlan {
    fn of(parsed: &dockerfile::Dockerfile) -> StagePlan {
        let stages = &parsed.stages;
        let names: Vec<String> = stages
            .iter()
            .enumerate()
            .map(|(i, s)| s.name.clone().unwrap_or_else(|| format!("stage-{i}")))
            .collect();
        let by_name = |name: &str| {
            let lower = name.to_ascii_lowercase();
            stages
                .iter()
                .position(|s| s.name.as_deref() == Some(lower.as_str()))
                .or_else(|| name.parse::<usize>().ok().filter(|i| *i < stages.len()))
        };
        let mut needs = Vec::new();
        let mut copies = Vec::new();
        for (index, stage) in stages.iter().enumerate() {
            let mut need = Vec::new();
            let mut copy_needs = Vec::new();
            let lower = stage.from.image.to_ascii_lowercase();
            if let Some(base) = stages[..index]
                .iter()
                .rposition(|s| s.name.as_deref() == Some(lower.as_str()))
            {
                need.push((base, stage.from_instruction.line));
            }
            for instruction in &stage.instructions {
                if let InstructionKind::Copy(copy) = &instruction.kind
                    && let Some(from) = &copy.from
                    && let Some(source) = by_name(from)
                {
                    need.push((source, instruction.line));
                    copy_needs.push((source, instruction.line));
                }
            }
            needs.push(need);
            copies.push(copy_needs);
        }
        StagePlan {
            needs,
            copies,
            names,
        }
    }

    /// The first stage, in Dockerfile order, from which `COPY --from` edges lead back
    /// to a stage on the way, with the line of the edge that closes the circle.
    fn cycle(&self) -> Option<(String, usize)> {
        fn visit(
            plan: &StagePlan,
            at: usize,
            visited: &mut Vec<bool>,
            path: &mut Vec<bool>,
        ) -> Option<usize> {
            if visited[at] {
                return None;
            }
            visited[at] = true;
            path[at] = true;
            for &(dep, line) in &plan.copies[at] {
                if path[dep] {
                    return Some(line);
                }
                if let Some(line) = visit(plan, dep, visited, path) {
                    return Some(line);
                }
            }
            path[at] = false;
            None
        }
        let n = self.names.len();
        let mut visited = vec![false; n];
        for start in 0..n {
            let mut path = vec![false; n];
            if let Some(line) = visit(self, start, &mut visited, &mut path) {
                return Some((self.names[start].clone(), line));
            }
        }
        None
    }

    /// The stages `target` needs, each after what it needs: BuildKit builds no other.
    fn order(&self, target: usize) -> Vec<usize> {
        fn visit(plan: &StagePlan, at: usize, done: &mut Vec<bool>, out: &mut Vec<usize>) {
            if done[at] {
                return;
            }
            done[at] = true;
            let mut deps: Vec<usize> = plan.needs[at].iter().map(|(d, _)| *d).collect();
            deps.sort_unstable();
            for dep in deps {
                visit(plan, dep, done, out);
            }
            out.push(at);
        }
        let mut done = vec![false; self.names.len()];
        let mut out = Vec::new();
        visit(self, target, &mut done, &mut out);
        out
    }

    /// The images stage `index` pulls (its base, and `COPY --from` images), with the
    /// line that names each.
    fn images(&self, parsed: &dockerfile::Dockerfile, index: usize) -> Vec<(String, usize)> {
        let stage = &parsed.stages[index];
        let mut out = Vec::new();
        let base = &stage.from.image;
        let base_is_stage = self.needs[index]
            .iter()
            .any(|(_, line)| *line == stage.from_instruction.line);
        if base != "scratch" && !base_is_stage {
            out.push((base.clone(), stage.from_instruction.line));
        }
        for instruction in &stage.instructions {
            if let InstructionKind::Copy(copy) = &instruction.kind
                && let Some(from) = &copy.from
                && !self.copies[index]
                    .iter()
                    .any(|(_, l)| *l == instruction.line)
            {
                out.push((from.clone(), instruction.line));
            }
        }
        out
    }
}

/// How BuildKit words a registry's refusal to give an image.
fn buildkit_pull_error(e: &EngineError) -> String {
    let text = match e {
        EngineError::BuildFailed { message, .. } => message.clone(),
        other => other.to_string(),
    };
    if text.contains("pull access denied") || text.contains("repository does not exist") {
        "pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed".to_string()
    } else if let Some(rest) = text.strip_prefix("manifest for ") {
        let (reference, _) = rest.split_once(" not found").unwrap_or((rest, ""));
        format!("{reference}: not found")
    } else {
        text
    }
}

fn makes_vertex(kind: &InstructionKind) -> bool {
    matches!(
        kind,
        InstructionKind::Run(_)
            | InstructionKind::Copy(_)
            | InstructionKind::Add(_)
            | InstructionKind::Workdir(_)
    )
}

/// `EXPOSE` operands as the image config's `ExposedPorts` keys: `80` → `80/tcp`,
/// `53/UDP` → `53/udp`, `8000-8001` → both ports. What does not parse is kept as written.
fn exposed_keys(spec: &str) -> Vec<String> {
    let (port, proto) = spec.split_once('/').unwrap_or((spec, "tcp"));
    let proto = if proto.is_empty() {
        "tcp".to_string()
    } else {
        proto.to_ascii_lowercase()
    };
    let range = match port.split_once('-') {
        Some((a, b)) => a.parse::<u16>().ok().zip(b.parse::<u16>().ok()),
        None => port.parse::<u16>().ok().map(|p| (p, p)),
    };
    match range {
        Some((a, b)) if a <= b && b - a < 1024 => (a..=b).map(|p| format!("{p}/{proto}")).collect(),
        _ => vec![spec.to_string()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_with(path: &str, data: &[u8]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, path, data).unwrap();
        b.into_inner().unwrap()
    }

    fn file(bytes: Vec<u8>) -> Node {
        Node::file(bytes, 0o644, Timestamp::default())
    }

    #[test]
    fn add_unpacks_every_compression_docker_knows() {
        let tar = tar_with("hello.txt", b"hi\n");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        bz.write_all(&tar).unwrap();
        let mut xz = Vec::new();
        lzma_rs::xz_compress(&mut std::io::BufReader::new(&tar[..]), &mut xz).unwrap();
        for packed in [tar.clone(), gz.finish().unwrap(), bz.finish().unwrap(), xz] {
            assert_eq!(local_archive(&file(packed)).as_deref(), Some(&tar[..]));
        }
        // Not an archive: copied as it is.
        assert!(local_archive(&file(b"just text".to_vec())).is_none());
        assert!(local_archive(&file(vec![0x1f, 0x8b, 0, 0])).is_none());
    }

    #[test]
    fn escaping_the_context_is_detected() {
        assert!(escapes_context("../secret"));
        assert!(escapes_context("a/../../b"));
        assert!(!escapes_context("a/../b"));
        assert!(!escapes_context("./hello.sh"));
    }

    #[test]
    fn go_quoting_of_command_words() {
        assert_eq!(
            go_quote_list(&["/bin/sh".into(), "-c".into(), "./hello.sh".into()]),
            r#"["/bin/sh" "-c" "./hello.sh"]"#
        );
    }
}
