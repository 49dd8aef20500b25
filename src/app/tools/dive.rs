//! `dive IMAGE`: wagoodman/dive's panes printed one after another (Layers, each layer's
//! details and the files it adds, modifies and removes, Image Details), or handed as a
//! [`Model`] to a [`View`] that draws them full-screen, and `--ci` mode with dive's
//! rules, default thresholds, report and exit code.
//!
//! Owns dive's analysis: layer sizes (the bytes of each layer tar's files), the
//! efficiency score and wasted space (per path seen in a layer: Σ smallest size seen /
//! Σ all sizes seen; a whiteout counts as the size it removed), and the per-layer diff.

use super::image::{SavedImage, SavedLayer};
use super::{err, human_bytes, out, parse_bytes, permissions, save};
use crate::backend::Backend;
use crate::engine::fs::{LayerEntry, Node, NodeKind, Tree, apply};
use crate::engine::streams::Streams;
use std::collections::BTreeMap;
use std::fmt::Write as _;

const WIDTH: usize = 80;

const USAGE: &str = "\
Usage: dive IMAGE [--ci] [--layer N]

Explore an image's layers: what each instruction added, changed and removed, and
how much space the image wastes.

Flags:
      --ci                                 skip the interactive view, check the image
                                           against the CI rules and exit 1 on a failure
      --layer N                            show only layer N (0 is the base), in full
      --lowestEfficiency string            (only valid with --ci) lowest allowable image
                                           efficiency (default \"0.9\")
      --highestWastedBytes string          (only valid with --ci) highest allowable bytes
                                           wasted (default \"disabled\")
      --highestUserWastedPercent string    (only valid with --ci) highest allowable
                                           percentage of bytes wasted (default \"0.1\")
";

/// One row of the Layers pane.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerRow {
    pub index: usize,
    /// dive's layer id: the first component of the layer's path in the save tar.
    pub id: String,
    /// The layer's diff ID from the config.
    pub digest: String,
    /// The history row's `created_by` without its `/bin/sh -c ` prefix.
    pub command: String,
    pub size: u64,
}

impl LayerRow {
    /// The text of the Command column: `FROM <id>` for the base layer, as dive shows it.
    pub fn preview(&self) -> String {
        if self.index == 0 {
            format!("FROM {}", self.id.chars().take(15).collect::<String>())
        } else {
            self.command.replace('\n', "↵")
        }
    }
}

/// A path seen in more than one layer.
#[derive(Clone, Debug, PartialEq)]
pub struct Inefficiency {
    pub path: String,
    pub count: usize,
    pub cumulative: u64,
}

#[derive(Clone, Debug)]
pub struct Analysis {
    pub layers: Vec<LayerRow>,
    pub efficiency: f64,
    /// Biggest cumulative size first.
    pub inefficiencies: Vec<Inefficiency>,
    pub size: u64,
    /// Every layer's size but the base layer's.
    pub user_size: u64,
    pub wasted: u64,
}

impl Analysis {
    pub fn wasted_user_percent(&self) -> f64 {
        self.wasted as f64 / self.user_size as f64
    }

    /// `Image efficiency score: N %`: truncated, as dive prints it.
    pub fn score(&self) -> i64 {
        (100.0 * self.efficiency) as i64
    }
}

pub fn analyze(image: &SavedImage) -> Analysis {
    let history = image.layer_history();
    let layers: Vec<LayerRow> = image
        .layers
        .iter()
        .zip(history)
        .enumerate()
        .map(|(index, (layer, row))| LayerRow {
            index,
            id: layer
                .tar_path
                .split('/')
                .next()
                .unwrap_or_default()
                .to_string(),
            digest: row.map(|_| layer.diff_id.clone()).unwrap_or_default(),
            command: match row {
                Some(row) => row
                    .created_by
                    .strip_prefix("/bin/sh -c ")
                    .unwrap_or(&row.created_by)
                    .to_string(),
                None => "(missing)".to_string(),
            },
            size: layer.file_size(),
        })
        .collect();

    // Per path: how many layers touched it, the sum of its sizes, the smallest size.
    let mut seen: BTreeMap<String, (usize, u64, u64)> = BTreeMap::new();
    let mut below = Tree::new();
    for saved in &image.layers {
        let entries = saved.layer.entries();
        for (path, entry) in entries {
            if path == "/" {
                continue;
            }
            let size = match entry {
                LayerEntry::Whiteout => removed_size(&below, path),
                LayerEntry::Put(node) | LayerEntry::Opaque(node) => {
                    if has_children(entries, path) {
                        continue;
                    }
                    file_size(node)
                }
            };
            let data = seen.entry(path.clone()).or_insert((0, 0, u64::MAX));
            data.0 += 1;
            data.1 += size;
            data.2 = data.2.min(size);
        }
        apply(&mut below, &saved.layer);
    }
    let smallest: u64 = seen.values().map(|d| d.2).sum();
    let total: u64 = seen.values().map(|d| d.1).sum();
    let efficiency = if total == 0 {
        1.0
    } else {
        smallest as f64 / total as f64
    };
    let mut inefficiencies: Vec<Inefficiency> = seen
        .into_iter()
        .filter(|(_, d)| d.0 >= 2)
        .map(|(path, d)| Inefficiency {
            path,
            count: d.0,
            cumulative: d.1,
        })
        .collect();
    inefficiencies.sort_by(|a, b| {
        b.cumulative
            .cmp(&a.cumulative)
            .then_with(|| a.path.cmp(&b.path))
    });
    let wasted = inefficiencies.iter().map(|i| i.cumulative).sum();
    let size = layers.iter().map(|l| l.size).sum();
    let user_size = layers.iter().skip(1).map(|l| l.size).sum();
    Analysis {
        layers,
        efficiency,
        inefficiencies,
        size,
        user_size,
        wasted,
    }
}

fn file_size(node: &Node) -> u64 {
    match &node.kind {
        NodeKind::File(content) => content.len(),
        _ => 0,
    }
}

fn child_prefix(path: &str) -> String {
    if path == "/" {
        "/".to_string()
    } else {
        format!("{path}/")
    }
}

fn has_children<V>(map: &BTreeMap<String, V>, path: &str) -> bool {
    let prefix = child_prefix(path);
    map.range(prefix.clone()..)
        .next()
        .is_some_and(|(k, _)| k.starts_with(&prefix))
}

fn below<'a, V>(
    map: &'a BTreeMap<String, V>,
    path: &str,
) -> impl Iterator<Item = (&'a String, &'a V)> {
    let prefix = child_prefix(path);
    map.range(prefix.clone()..)
        .take_while(move |(k, _)| k.starts_with(&prefix))
}

/// What a whiteout at `path` removes from the layers below: the file, or everything
/// in the directory.
fn removed_size(tree: &Tree, path: &str) -> u64 {
    tree.get(path).map(file_size).unwrap_or(0)
        + below(tree, path).map(|(_, n)| file_size(n)).sum::<u64>()
}

/// How a path differs from the layers below, as dive colours it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Diff {
    Added,
    Modified,
    Removed,
    Unmodified,
}

impl Diff {
    fn mark(self) -> char {
        match self {
            Diff::Added => '+',
            Diff::Modified => '~',
            Diff::Removed => '-',
            Diff::Unmodified => ' ',
        }
    }
}

/// The paths one layer adds, modifies or removes, with the node to show for each (the
/// old one for a removal).
pub fn layer_changes(
    lower: &Tree,
    upper: &Tree,
    layer: &SavedLayer,
) -> BTreeMap<String, (Diff, Node)> {
    let mut changes = BTreeMap::new();
    for (path, entry) in layer.layer.entries() {
        if path == "/" {
            continue;
        }
        match (lower.get(path), upper.get(path)) {
            (Some(old), None) => {
                changes.insert(path.clone(), (Diff::Removed, old.clone()));
            }
            (None, Some(new)) => {
                changes.insert(path.clone(), (Diff::Added, new.clone()));
            }
            (Some(old), Some(new)) => {
                let same = old.kind == new.kind
                    && old.type_bits() == new.type_bits()
                    && old.mode == new.mode
                    && old.uid == new.uid
                    && old.gid == new.gid;
                if !same {
                    changes.insert(path.clone(), (Diff::Modified, new.clone()));
                }
            }
            (None, None) => {}
        }
        let replaces = match entry {
            LayerEntry::Whiteout | LayerEntry::Opaque(_) => true,
            LayerEntry::Put(node) => !node.is_dir(),
        };
        if replaces {
            for (old_path, old) in below(lower, path) {
                if !upper.contains_key(old_path) {
                    changes.insert(old_path.clone(), (Diff::Removed, old.clone()));
                }
            }
        }
    }
    changes
}

/// How much of a layer's tree to print.
#[derive(Clone, Copy, Debug)]
pub struct TreeLimits {
    /// Children shown per directory before a `… N more` line.
    pub per_dir: usize,
    /// Lines in all before a final `… N more` line.
    pub total: usize,
}

impl TreeLimits {
    pub const SUMMARY: TreeLimits = TreeLimits {
        per_dir: 8,
        total: 40,
    };
    pub const FULL: TreeLimits = TreeLimits {
        per_dir: 500,
        total: 5000,
    };
}

struct Shown {
    diff: Diff,
    node: Node,
    size: u64,
    children: Vec<String>,
}

/// dive's file tree, reduced to what one layer changed: each changed path with its
/// directories, `+` added, `~` modified, `-` removed; a directory's size is the size of
/// the changes under it.
pub fn render_tree(
    changes: &BTreeMap<String, (Diff, Node)>,
    upper: &Tree,
    lower: &Tree,
    limits: TreeLimits,
) -> String {
    let mut shown: BTreeMap<String, Shown> = BTreeMap::new();
    for (path, (diff, node)) in changes {
        shown.insert(
            path.clone(),
            Shown {
                diff: *diff,
                node: node.clone(),
                size: 0,
                children: Vec::new(),
            },
        );
    }
    // Directories leading to each change, as context.
    let paths: Vec<String> = shown.keys().cloned().collect();
    for path in &paths {
        let mut current = parent(path);
        while current != "/" {
            if !shown.contains_key(current) {
                let node = upper
                    .get(current)
                    .or_else(|| lower.get(current))
                    .cloned()
                    .unwrap_or_else(|| Node::dir(0o755, Default::default()));
                shown.insert(
                    current.to_string(),
                    Shown {
                        diff: Diff::Modified,
                        node,
                        size: 0,
                        children: Vec::new(),
                    },
                );
            }
            current = parent(current);
        }
    }
    // A directory that was there before and now has changes under it is modified.
    let keys: Vec<String> = shown.keys().cloned().collect();
    for key in keys.iter().rev() {
        let (diff, size) = {
            let entry = &shown[key];
            (entry.diff, file_size(&entry.node))
        };
        let parent_key = parent(key).to_string();
        if let Some(entry) = shown.get_mut(key.as_str()) {
            entry.size += size;
        }
        let own_size = shown[key].size;
        if parent_key != "/" {
            let parent_removed = shown[&parent_key].diff == Diff::Removed;
            let parent = shown.get_mut(&parent_key).expect("parent inserted above");
            parent.children.push(key.clone());
            if diff != Diff::Removed || parent_removed {
                parent.size += own_size;
            }
            if parent.diff == Diff::Unmodified && diff != Diff::Unmodified {
                parent.diff = Diff::Modified;
            }
        }
    }
    for entry in shown.values_mut() {
        entry.children.reverse();
    }
    let roots: Vec<String> = shown.keys().filter(|k| parent(k) == "/").cloned().collect();
    let mut out = String::new();
    let mut lines = 0usize;
    let total = shown.len();
    let mut printed = 0usize;
    print_level(
        &shown,
        &roots,
        &mut Vec::new(),
        limits,
        &mut out,
        &mut lines,
        &mut printed,
    );
    if printed < total && lines >= limits.total {
        let _ = writeln!(out, "{:>37}… {} more", "", total - printed);
    }
    out
}

fn print_level(
    shown: &BTreeMap<String, Shown>,
    children: &[String],
    spaces: &mut Vec<bool>,
    limits: TreeLimits,
    out: &mut String,
    lines: &mut usize,
    printed: &mut usize,
) {
    let visible = children.len().min(limits.per_dir);
    for (i, path) in children.iter().take(visible).enumerate() {
        if *lines >= limits.total {
            return;
        }
        let entry = &shown[path];
        let last = i + 1 == children.len();
        let mut branches = String::new();
        for space in spaces.iter() {
            branches.push_str(if *space { "    " } else { "│   " });
        }
        branches.push_str(if last { "└── " } else { "├── " });
        let node = &entry.node;
        let mut name = base(path).to_string();
        match &node.kind {
            NodeKind::Symlink(target) => {
                let _ = write!(name, " → {target}");
            }
            NodeKind::Hardlink(target) => {
                let _ = write!(name, " → {}", target.trim_start_matches('/'));
            }
            _ => {}
        }
        let _ = writeln!(
            out,
            "{} {}{} {:>11} {:>10}  {branches}{name}",
            entry.diff.mark(),
            if node.is_dir() { 'd' } else { '-' },
            permissions(node.mode),
            format!("{}:{}", node.uid, node.gid),
            human_bytes(entry.size),
        );
        *lines += 1;
        *printed += 1;
        if !entry.children.is_empty() {
            spaces.push(last);
            print_level(shown, &entry.children, spaces, limits, out, lines, printed);
            spaces.pop();
        }
    }
    let hidden = children.len() - visible;
    if hidden > 0 && *lines < limits.total {
        let mut branches = String::new();
        for space in spaces.iter() {
            branches.push_str(if *space { "    " } else { "│   " });
        }
        let hidden_nodes: usize = children[visible..]
            .iter()
            .map(|c| 1 + descendants(shown, c))
            .sum();
        *printed += hidden_nodes;
        let _ = writeln!(out, "{:>37}{branches}└── … {hidden} more", "");
        *lines += 1;
    }
}

fn descendants(shown: &BTreeMap<String, Shown>, path: &str) -> usize {
    shown[path]
        .children
        .iter()
        .map(|c| 1 + descendants(shown, c))
        .sum()
}

fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

fn base(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// A pane title as dive draws it: `│ Layers ├──────`.
fn title(name: &str) -> String {
    let head = format!("│ {name} ├");
    let fill = WIDTH.saturating_sub(head.chars().count());
    format!("{head}{}\n", "─".repeat(fill))
}

fn clip(line: &str) -> String {
    if line.chars().count() <= WIDTH {
        line.to_string()
    } else {
        let mut cut: String = line.chars().take(WIDTH - 1).collect();
        cut.push('…');
        cut
    }
}

/// The Layers pane.
pub fn render_layers(analysis: &Analysis) -> String {
    let mut text = title("Layers");
    text.push_str("Cmp   Size  Command\n");
    for layer in &analysis.layers {
        text.push_str(&clip(&layer_line(layer)));
        text.push('\n');
    }
    text
}

/// One row of the Layers pane, unclipped.
pub fn layer_line(layer: &LayerRow) -> String {
    format!("   {:>7}  {}", human_bytes(layer.size), layer.preview())
}

/// The Layer Details pane of one layer.
pub fn render_layer_details(layer: &LayerRow) -> String {
    let mut text = title(&format!("Layer Details (layer {})", layer.index));
    text.push_str("Tags:   (unavailable)\n");
    let _ = writeln!(text, "Id:     {}", layer.id);
    let _ = writeln!(text, "Digest: {}", layer.digest);
    text.push_str("Command:\n");
    let _ = writeln!(text, "{}", layer.command);
    text
}

/// The Image Details pane.
pub fn render_image_details(name: &str, analysis: &Analysis) -> String {
    let mut text = title("Image Details");
    let _ = writeln!(text, "Image name: {name}");
    let _ = writeln!(text, "Total Image size: {}", human_bytes(analysis.size));
    let _ = writeln!(
        text,
        "Potential wasted space: {}",
        human_bytes(analysis.wasted)
    );
    let _ = writeln!(text, "Image efficiency score: {} %", analysis.score());
    text.push('\n');
    text.push_str("Count   Total Space  Path\n");
    for item in &analysis.inefficiencies {
        let _ = writeln!(
            text,
            "{:>5}  {:>12}  {}",
            item.count,
            human_bytes(item.cumulative),
            item.path
        );
    }
    text
}

/// One layer's file tree, as [`render_tree`] draws it.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerTree {
    pub index: usize,
    /// Empty when the layer changes nothing.
    pub text: String,
}

/// The file trees of every layer (or only `only`'s), each within `limits`.
pub fn layer_trees(image: &SavedImage, only: Option<usize>, limits: TreeLimits) -> Vec<LayerTree> {
    let mut trees = Vec::new();
    let mut lower = Tree::new();
    for (index, saved) in image.layers.iter().enumerate() {
        let mut upper = lower.clone();
        apply(&mut upper, &saved.layer);
        if only.is_none_or(|n| n == index) {
            let changes = layer_changes(&lower, &upper, saved);
            trees.push(LayerTree {
                index,
                text: render_tree(&changes, &upper, &lower, limits),
            });
        }
        if only.is_some_and(|n| n == index) {
            break;
        }
        lower = upper;
    }
    trees
}

/// Everything dive shows of an image, computed once: the analysis and each layer's tree.
#[derive(Clone, Debug)]
pub struct Model {
    pub name: String,
    pub analysis: Analysis,
    /// One per layer (or only the layer asked for), in order.
    pub trees: Vec<LayerTree>,
}

impl Model {
    pub fn build(name: &str, image: &SavedImage, only: Option<usize>, limits: TreeLimits) -> Model {
        Model {
            name: name.to_string(),
            analysis: analyze(image),
            trees: layer_trees(image, only, limits),
        }
    }
}

/// Each computed layer's details and tree.
pub fn render_contents(model: &Model) -> String {
    let mut text = String::new();
    for tree in &model.trees {
        text.push('\n');
        text.push_str(&render_layer_details(&model.analysis.layers[tree.index]));
        text.push('\n');
        text.push_str(&title("Current Layer Contents"));
        text.push_str(TREE_HEADER);
        text.push('\n');
        if tree.text.is_empty() {
            text.push_str(NO_CHANGES);
            text.push('\n');
        } else {
            text.push_str(&tree.text);
        }
    }
    text
}

/// The column heads above a layer's tree.
pub const TREE_HEADER: &str = "  Permission     UID:GID       Size  Filetree";
/// What a layer's tree shows when the layer changes nothing.
pub const NO_CHANGES: &str = "  (no changes)";

/// dive's CI rules with their thresholds (`None`: disabled).
#[derive(Clone, Debug)]
pub struct CiRules {
    pub lowest_efficiency: Option<String>,
    pub highest_wasted_bytes: Option<String>,
    pub highest_user_wasted_percent: Option<String>,
}

impl Default for CiRules {
    fn default() -> CiRules {
        CiRules {
            lowest_efficiency: Some("0.9".to_string()),
            highest_wasted_bytes: None,
            highest_user_wasted_percent: Some("0.1".to_string()),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Pass,
    Fail,
    Skip,
}

/// Go's `%v` for a float64: the shortest representation, `+Inf`, `NaN`.
fn go_float(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_string()
    } else if value.is_infinite() {
        if value > 0.0 { "+Inf" } else { "-Inf" }.to_string()
    } else {
        format!("{value}")
    }
}

/// Go's `%2.4f`.
fn go_fixed4(value: f64) -> String {
    if value.is_nan() || value.is_infinite() {
        go_float(value)
    } else {
        format!("{value:.4}")
    }
}

/// dive's CI output after the analysis lines, and whether the image passed.
pub fn render_ci(analysis: &Analysis, rules: &CiRules) -> (String, bool) {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "  efficiency: {} %",
        go_fixed4(analysis.efficiency * 100.0)
    );
    let _ = writeln!(
        text,
        "  wastedBytes: {} bytes ({})",
        analysis.wasted,
        human_bytes(analysis.wasted)
    );
    let _ = writeln!(
        text,
        "  userWastedPercent: {} %",
        go_fixed4(analysis.wasted_user_percent() * 100.0)
    );
    let mut results: Vec<(&str, Status, String)> = Vec::new();
    let mut misconfigured: Vec<(&str, String)> = Vec::new();
    match &rules.lowest_efficiency {
        None => results.push(("lowestEfficiency", Status::Skip, "rule disabled".into())),
        Some(value) => match value.parse::<f64>() {
            Ok(threshold) if (0.0..=1.0).contains(&threshold) => {
                if threshold > analysis.efficiency {
                    results.push((
                        "lowestEfficiency",
                        Status::Fail,
                        format!(
                            "image efficiency is too low (efficiency={} < threshold={})",
                            go_float(analysis.efficiency),
                            go_float(threshold)
                        ),
                    ));
                } else {
                    results.push(("lowestEfficiency", Status::Pass, String::new()));
                }
            }
            Ok(_) => misconfigured.push((
                "lowestEfficiency",
                format!("lowestEfficiency config value is outside allowed range (0-1), given '{value}'"),
            )),
            Err(_) => misconfigured.push((
                "lowestEfficiency",
                format!("invalid config value ('{value}'): strconv.ParseFloat: parsing \"{value}\": invalid syntax"),
            )),
        },
    }
    match &rules.highest_wasted_bytes {
        None => results.push(("highestWastedBytes", Status::Skip, "rule disabled".into())),
        Some(value) => match parse_bytes(value) {
            Some(threshold) => {
                if analysis.wasted > threshold {
                    results.push((
                        "highestWastedBytes",
                        Status::Fail,
                        format!(
                            "too many bytes wasted (wasted-bytes={} > threshold={threshold})",
                            analysis.wasted
                        ),
                    ));
                } else {
                    results.push(("highestWastedBytes", Status::Pass, String::new()));
                }
            }
            None => misconfigured.push((
                "highestWastedBytes",
                format!("invalid config value ('{value}'): unhandled size name: {value}"),
            )),
        },
    }
    match &rules.highest_user_wasted_percent {
        None => results.push(("highestUserWastedPercent", Status::Skip, "rule disabled".into())),
        Some(value) => match value.parse::<f64>() {
            Ok(threshold) if (0.0..=1.0).contains(&threshold) => {
                let percent = analysis.wasted_user_percent();
                if threshold < percent {
                    results.push((
                        "highestUserWastedPercent",
                        Status::Fail,
                        format!(
                            "too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes={} > threshold={})",
                            go_float(percent),
                            go_float(threshold)
                        ),
                    ));
                } else {
                    results.push(("highestUserWastedPercent", Status::Pass, String::new()));
                }
            }
            Ok(_) => misconfigured.push((
                "highestUserWastedPercent",
                format!("highestUserWastedPercent config value is outside allowed range (0-1), given '{value}'"),
            )),
            Err(_) => misconfigured.push((
                "highestUserWastedPercent",
                format!("invalid config value ('{value}'): strconv.ParseFloat: parsing \"{value}\": invalid syntax"),
            )),
        },
    }

    text.push_str("Inefficient Files:\n");
    text.push_str("Count  Wasted Space  File Path\n");
    if analysis.inefficiencies.is_empty() {
        text.push_str("None\n");
    } else {
        for item in &analysis.inefficiencies {
            let _ = writeln!(
                text,
                "{:>5}  {:>12}  {}",
                item.count,
                human_bytes(item.cumulative),
                item.path
            );
        }
    }
    text.push_str("Results:\n");
    if !misconfigured.is_empty() {
        let mut all: Vec<(&str, String)> = misconfigured;
        for (name, status, _) in &results {
            if *status == Status::Skip {
                all.push((name, String::new()));
            }
        }
        all.sort();
        for (name, message) in all {
            if message.is_empty() {
                let _ = writeln!(text, "  SKIP: {name}: rule disabled");
            } else {
                let _ = writeln!(text, "  MISCONFIGURED: {name}: {message}");
            }
        }
        text.push_str("CI Misconfigured\n");
        return (text, false);
    }
    results.sort_by(|a, b| a.0.cmp(b.0));
    let count = |s: Status| results.iter().filter(|r| r.1 == s).count();
    let (passed, failed, skipped) = (
        count(Status::Pass),
        count(Status::Fail),
        count(Status::Skip),
    );
    for (name, status, message) in &results {
        let status = match status {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Skip => "SKIP",
        };
        if message.is_empty() {
            let _ = writeln!(text, "  {status}: {name}");
        } else {
            let _ = writeln!(text, "  {status}: {name}: {message}");
        }
    }
    let pass = failed == 0;
    let _ = writeln!(
        text,
        "Result:{} [Total:{}] [Passed:{passed}] [Failed:{failed}] [Warn:0] [Skipped:{skipped}]",
        if pass { "PASS" } else { "FAIL" },
        results.len()
    );
    (text, pass)
}

struct Options {
    image: String,
    ci: bool,
    layer: Option<usize>,
    rules: CiRules,
}

fn parse_args(args: &[String], env: &[(String, String)]) -> Result<Option<Options>, String> {
    let mut image = None;
    let mut ci = env
        .iter()
        .any(|(k, v)| k == "CI" && v.eq_ignore_ascii_case("true"));
    let mut layer = None;
    let mut rules = CiRules::default();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => iter
                    .next()
                    .cloned()
                    .ok_or_else(|| format!("flag needs an argument: {name}")),
            }
        };
        let threshold = |v: String| if v == "disabled" { None } else { Some(v) };
        match flag {
            "-h" | "--help" => return Ok(None),
            "--ci" => ci = inline.as_deref() != Some("false"),
            "--layer" => {
                let v = value("--layer")?;
                layer = Some(
                    v.parse()
                        .map_err(|_| format!("invalid argument \"{v}\" for \"--layer\" flag"))?,
                );
            }
            "--lowestEfficiency" => rules.lowest_efficiency = threshold(value(flag)?),
            "--highestWastedBytes" => rules.highest_wasted_bytes = threshold(value(flag)?),
            "--highestUserWastedPercent" => {
                rules.highest_user_wasted_percent = threshold(value(flag)?)
            }
            "--source" => {
                let v = value(flag)?;
                if v != "docker" {
                    return Err(format!("unable to determine image source: {v}"));
                }
            }
            f if f.starts_with('-') => return Err(format!("unknown flag: {f}")),
            _ if image.is_none() => image = Some(arg.clone()),
            _ => return Err(format!("accepts at most 1 arg(s), received {}", args.len())),
        }
    }
    match image {
        Some(image) => Ok(Some(Options {
            image,
            ci,
            layer,
            rules,
        })),
        None => Err("requires an image argument".to_string()),
    }
}

/// `docker pull IMAGE` as the lab's docker command line runs it; its exit status.
pub type Pull<'a> = dyn FnMut(&mut dyn Backend, &str, Streams<'_>) -> i32 + 'a;

/// dive's interactive view of a computed model.
pub trait View {
    /// Whether the view can open: what dive printed so far reached a terminal (not a
    /// pipe or a file).
    fn ready(&self) -> bool;
    /// Shows the model, opened at `layer`, until the student leaves.
    fn show(&mut self, model: &Model, layer: usize, streams: Streams<'_>) -> std::io::Result<()>;
}

/// `dive [flags] IMAGE`. A missing image is pulled first with `pull`, as dive runs
/// `docker pull`. With a `view` (a terminal to draw on) and without `--ci`, the model
/// goes to the view instead of being printed.
pub fn run(
    backend: &mut dyn Backend,
    args: &[String],
    env: &[(String, String)],
    pull: &mut Pull<'_>,
    view: Option<&mut dyn View>,
    mut streams: Streams<'_>,
) -> i32 {
    let options = match parse_args(args, env) {
        Ok(Some(options)) => options,
        Ok(None) => {
            out(&mut streams, USAGE);
            return 0;
        }
        Err(message) => {
            err(&mut streams, &format!("Error: {message}\n\n{USAGE}"));
            return 1;
        }
    };
    out(
        &mut streams,
        &format!(
            "Image Source: docker://{}\nFetching image... (this can take a while for large images)\n",
            options.image
        ),
    );
    if backend.inspect_image(&options.image).is_err() {
        out(
            &mut streams,
            &format!(
                "Handler not available locally. Trying to pull '{}'...\n",
                options.image
            ),
        );
        if pull(backend, &options.image, streams.reborrow()) != 0 {
            err(&mut streams, "cannot fetch image\nexit status 1\n");
            return 1;
        }
    }
    let bytes = match save(backend, &options.image) {
        Ok(bytes) => bytes,
        Err(message) => {
            err(&mut streams, &format!("cannot fetch image\n{message}\n"));
            return 1;
        }
    };
    out(&mut streams, "Analyzing image...\n");
    let image = match SavedImage::parse(&bytes) {
        Ok(image) => image,
        Err(message) => {
            err(&mut streams, &format!("cannot analyze image\n{message}\n"));
            return 1;
        }
    };
    if options.ci {
        let (text, pass) = render_ci(&analyze(&image), &options.rules);
        out(&mut streams, &text);
        return if pass { 0 } else { 1 };
    }
    if let Some(n) = options.layer
        && n >= image.layers.len()
    {
        err(
            &mut streams,
            &format!(
                "dive: no layer {n}: {} has layers 0 to {}\n",
                options.image,
                image.layers.len().saturating_sub(1)
            ),
        );
        return 1;
    }
    out(&mut streams, "Building cache...\n");
    if let Some(view) = view
        && view.ready()
    {
        let model = Model::build(&options.image, &image, None, TreeLimits::FULL);
        return match view.show(&model, options.layer.unwrap_or(0), streams.reborrow()) {
            Ok(()) => 0,
            Err(e) => {
                err(&mut streams, &format!("dive: cannot show the view: {e}\n"));
                1
            }
        };
    }
    let limits = if options.layer.is_some() {
        TreeLimits::FULL
    } else {
        TreeLimits::SUMMARY
    };
    let model = Model::build(&options.image, &image, options.layer, limits);
    let mut text = String::new();
    if options.layer.is_none() {
        text.push('\n');
        text.push_str(&render_layers(&model.analysis));
    }
    text.push_str(&render_contents(&model));
    if options.layer.is_none() {
        text.push('\n');
        text.push_str(&render_image_details(&model.name, &model.analysis));
    }
    out(&mut streams, &text);
    0
}
