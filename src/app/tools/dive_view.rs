//! `dive IMAGE` at a terminal: dive's full-screen view of a computed [`Model`]. Left,
//! the Layers pane with the selected layer highlighted, its Layer Details and the Image
//! Details; right, the Current Layer Contents of the selected layer. Up/Down (k/j) pick
//! a layer, Tab moves the focus to the file tree where Up/Down/PgUp/PgDn scroll, and
//! q, Esc or Ctrl-C leave.
//!
//! Owns the pure parts, the screen laid out as rows of styled text for a size and a
//! [`State`], and the key handling as a state machine, and the little that touches the
//! terminal: raw mode and the alternate screen, always undone by [`Guard`].

use super::dive::{Model, NO_CHANGES, TREE_HEADER, View, layer_line, render_image_details};
use crate::engine::streams::Streams;
use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::style::{Attribute, Color, Print, SetAttribute, SetForegroundColor};
use crossterm::terminal::{self, Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, queue};
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Which pane the arrow keys move.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Layers,
    Tree,
}

/// What a key press means to the view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Up,
    Down,
    PageUp,
    PageDown,
    Tab,
    Quit,
}

impl Key {
    /// The view's meaning of a terminal key, if it has one.
    pub fn from_event(event: &KeyEvent) -> Option<Key> {
        if event.kind == KeyEventKind::Release {
            return None;
        }
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        match event.code {
            KeyCode::Char('c') if ctrl => Some(Key::Quit),
            KeyCode::Char('q') | KeyCode::Esc => Some(Key::Quit),
            KeyCode::Up | KeyCode::Char('k') => Some(Key::Up),
            KeyCode::Down | KeyCode::Char('j') => Some(Key::Down),
            KeyCode::PageUp => Some(Key::PageUp),
            KeyCode::PageDown => Some(Key::PageDown),
            KeyCode::Tab | KeyCode::BackTab => Some(Key::Tab),
            _ => None,
        }
    }
}

/// The selected layer, the focused pane and how far the file tree is scrolled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct State {
    pub layer: usize,
    pub focus: Focus,
    /// The first tree line shown.
    pub scroll: usize,
}

impl State {
    pub fn new(model: &Model, layer: usize) -> State {
        State {
            layer: layer.min(model.analysis.layers.len().saturating_sub(1)),
            focus: Focus::Layers,
            scroll: 0,
        }
    }

    /// Applies one key, with `page` tree lines visible; false once the view should close.
    pub fn apply(&mut self, key: Key, model: &Model, page: usize) -> bool {
        let page = page.max(1);
        let last_layer = model.analysis.layers.len().saturating_sub(1);
        let last_scroll = tree_lines(model, self.layer).len().saturating_sub(page);
        match (key, self.focus) {
            (Key::Quit, _) => return false,
            (Key::Tab, Focus::Layers) => self.focus = Focus::Tree,
            (Key::Tab, Focus::Tree) => self.focus = Focus::Layers,
            (Key::Up, Focus::Layers) => self.select(self.layer.saturating_sub(1)),
            (Key::Down, Focus::Layers) => self.select((self.layer + 1).min(last_layer)),
            (Key::PageUp, Focus::Layers) => self.select(self.layer.saturating_sub(page)),
            (Key::PageDown, Focus::Layers) => self.select((self.layer + page).min(last_layer)),
            (Key::Up, Focus::Tree) => self.scroll = self.scroll.saturating_sub(1),
            (Key::Down, Focus::Tree) => self.scroll = (self.scroll + 1).min(last_scroll),
            (Key::PageUp, Focus::Tree) => self.scroll = self.scroll.saturating_sub(page),
            (Key::PageDown, Focus::Tree) => self.scroll = (self.scroll + page).min(last_scroll),
        }
        true
    }

    fn select(&mut self, layer: usize) {
        if layer != self.layer {
            self.layer = layer;
            self.scroll = 0;
        }
    }
}

/// How a piece of the screen is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    Title,
    Selected,
    Added,
    Modified,
    Removed,
    Keys,
}

/// One screen row: pieces of text, their widths adding up to the screen's.
pub type Row = Vec<(Style, String)>;

/// The lines of a layer's tree as the right pane lists them.
fn tree_lines(model: &Model, layer: usize) -> Vec<&str> {
    match model.trees.iter().find(|t| t.index == layer) {
        Some(tree) if !tree.text.is_empty() => tree.text.lines().collect(),
        _ => vec![NO_CHANGES],
    }
}

/// How many tree lines a screen of `height` rows shows.
pub fn page(height: usize) -> usize {
    height.saturating_sub(3).max(1)
}

/// `text` cut to `width` columns with `…`, or padded with spaces to it.
pub fn fit(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count > width {
        if width == 0 {
            return String::new();
        }
        let mut cut: String = text.chars().take(width - 1).collect();
        cut.push('…');
        cut
    } else {
        format!("{text}{}", " ".repeat(width - count))
    }
}

/// A pane title, `│ ● Layers ├────` when the pane has the focus.
fn title(name: &str, focused: bool, width: usize) -> String {
    let head = if focused {
        format!("│ ● {name} ├")
    } else {
        format!("│ {name} ├")
    };
    let fill = width.saturating_sub(head.chars().count());
    fit(&format!("{head}{}", "─".repeat(fill)), width)
}

/// Below this width the tree pane leaves out the Permission and UID:GID columns.
const FULL_TREE_WIDTH: usize = 67;

/// A tree line without its Permission and UID:GID columns: `+     6 B  └── hello.txt`.
fn compact(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() > 12 && matches!(chars[2], 'd' | '-') {
        // The mark, then what follows the UID:GID column (which may be wider than 11).
        let start = chars[12..].iter().position(|c| *c != ' ').map(|i| 12 + i);
        let cut = start.and_then(|s| chars[s..].iter().position(|c| *c == ' ').map(|i| s + i));
        if let Some(cut) = cut {
            return std::iter::once(chars[0])
                .chain(chars[cut..].iter().copied())
                .collect();
        }
    }
    // `… N more` lines: their indent shrinks by the columns left out.
    let drop = chars.iter().take(23).take_while(|c| **c == ' ').count();
    chars[drop..].iter().collect()
}

/// `text` in lines of at most `width` columns.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    for line in text.lines() {
        let chars: Vec<char> = line.chars().collect();
        if chars.is_empty() {
            lines.push(String::new());
        }
        for chunk in chars.chunks(width) {
            lines.push(chunk.iter().collect());
        }
    }
    lines
}

/// The whole screen for `width` × `height`: one [`Row`] per line.
pub fn layout(model: &Model, state: &State, width: usize, height: usize) -> Vec<Row> {
    let plain = |text: &str| vec![(Style::Plain, fit(text, width))];
    if width < 40 || height < 10 {
        let mut rows = vec![plain(&format!(
            "dive needs at least 40x10 (this is {width}x{height}); q quits"
        ))];
        rows.resize_with(height, || plain(""));
        return rows;
    }
    let body = height - 1;
    let left_w = width * 2 / 5;
    let right_w = width - left_w - 1;
    let analysis = &model.analysis;

    // Left column: Layers, Layer Details, Image Details.
    let mut left: Vec<(Style, String)> = Vec::new();
    let layers_h = (analysis.layers.len() + 2).min((body * 2 / 5).max(3));
    let visible = layers_h - 2;
    let first = (state.layer + 1).saturating_sub(visible);
    left.push((
        Style::Title,
        title("Layers", state.focus == Focus::Layers, left_w),
    ));
    left.push((Style::Plain, fit("Cmp   Size  Command", left_w)));
    for layer in analysis.layers.iter().skip(first).take(visible) {
        let style = if layer.index == state.layer {
            Style::Selected
        } else {
            Style::Plain
        };
        left.push((style, fit(&layer_line(layer), left_w)));
    }
    if let Some(layer) = analysis.layers.get(state.layer) {
        left.push((
            Style::Title,
            title(
                &format!("Layer Details (layer {})", layer.index),
                false,
                left_w,
            ),
        ));
        for line in [
            "Tags:   (unavailable)".to_string(),
            format!("Id:     {}", layer.id),
            format!("Digest: {}", layer.digest),
            "Command:".to_string(),
        ] {
            left.push((Style::Plain, fit(&line, left_w)));
        }
        let command = wrap(&layer.command, left_w);
        let room = body.saturating_sub(left.len() + 6).clamp(1, 3);
        for (i, line) in command.iter().take(room).enumerate() {
            let line = if i + 1 == room && command.len() > room {
                format!("{line}…")
            } else {
                line.clone()
            };
            left.push((Style::Plain, fit(&line, left_w)));
        }
    }
    left.push((Style::Title, title("Image Details", false, left_w)));
    for line in render_image_details(&model.name, analysis).lines().skip(1) {
        left.push((Style::Plain, fit(line, left_w)));
    }
    left.truncate(body);
    left.resize_with(body, || (Style::Plain, fit("", left_w)));

    // Right column: the selected layer's tree.
    let full = right_w >= FULL_TREE_WIDTH;
    let header = if full {
        TREE_HEADER.to_string()
    } else {
        format!("  {:>10}  Filetree", "Size")
    };
    let mut right: Vec<(Style, String)> = vec![
        (
            Style::Title,
            title(
                "Current Layer Contents",
                state.focus == Focus::Tree,
                right_w,
            ),
        ),
        (Style::Plain, fit(&header, right_w)),
    ];
    for line in tree_lines(model, state.layer)
        .into_iter()
        .skip(state.scroll)
        .take(page(height))
    {
        let line = if full {
            line.to_string()
        } else {
            compact(line)
        };
        let style = match line.chars().next() {
            Some('+') => Style::Added,
            Some('~') => Style::Modified,
            Some('-') => Style::Removed,
            _ => Style::Plain,
        };
        right.push((style, fit(&line, right_w)));
    }
    right.resize_with(body, || (Style::Plain, fit("", right_w)));

    let mut rows: Vec<Row> = left
        .into_iter()
        .zip(right)
        .enumerate()
        .map(|(y, (l, r))| {
            // The title row runs on into the right pane's title.
            let (style, bar) = if y == 0 {
                (Style::Title, "─")
            } else {
                (Style::Plain, "│")
            };
            vec![l, (style, bar.to_string()), r]
        })
        .collect();
    let keys = match state.focus {
        Focus::Layers => "▏q Quit ▏Tab Switch view ▏↑↓ Select layer ▏",
        Focus::Tree => "▏q Quit ▏Tab Switch view ▏↑↓ PgUp PgDn Scroll ▏",
    };
    rows.push(vec![(Style::Keys, fit(keys, width))]);
    rows
}

/// The screen as plain text, one string per row.
pub fn text(rows: &[Row]) -> Vec<String> {
    rows.iter()
        .map(|row| row.iter().map(|(_, t)| t.as_str()).collect())
        .collect()
}

/// Raw mode and the alternate screen while alive; the terminal as it was once dropped,
/// whether the view ends normally, with an error or in a panic.
struct Guard<'a> {
    out: &'a mut dyn Write,
}

impl<'a> Guard<'a> {
    fn enter(out: &'a mut dyn Write) -> io::Result<Guard<'a>> {
        terminal::enable_raw_mode()?;
        let mut guard = Guard { out };
        queue!(&mut guard.out, EnterAlternateScreen, cursor::Hide)?;
        guard.out.flush()?;
        Ok(guard)
    }
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        let _ = queue!(
            &mut self.out,
            SetAttribute(Attribute::Reset),
            cursor::Show,
            LeaveAlternateScreen
        );
        let _ = self.out.flush();
        let _ = terminal::disable_raw_mode();
    }
}

fn draw(mut out: &mut dyn Write, rows: &[Row], colour: bool) -> io::Result<()> {
    for (y, row) in rows.iter().enumerate() {
        queue!(&mut out, cursor::MoveTo(0, y as u16))?;
        for (style, text) in row {
            let colour_of = match style {
                Style::Added => Some(Color::Green),
                Style::Modified => Some(Color::Yellow),
                Style::Removed => Some(Color::Red),
                _ => None,
            };
            match (style, colour_of) {
                (_, Some(c)) if colour => queue!(&mut out, SetForegroundColor(c))?,
                (Style::Selected | Style::Keys, _) => {
                    queue!(&mut out, SetAttribute(Attribute::Reverse))?
                }
                (Style::Title, _) => queue!(&mut out, SetAttribute(Attribute::Bold))?,
                _ => {}
            }
            queue!(&mut out, Print(text), SetAttribute(Attribute::Reset))?;
        }
    }
    out.flush()
}

/// The view on the lab's terminal. `reached` is set by the lab whenever output reaches
/// the terminal itself; cleared here when dive starts.
pub struct Terminal {
    pub reached: Arc<AtomicBool>,
}

impl Terminal {
    /// Forgets earlier output, before dive runs.
    pub fn new(reached: Arc<AtomicBool>) -> Terminal {
        reached.store(false, Ordering::SeqCst);
        Terminal { reached }
    }
}

impl View for Terminal {
    fn ready(&self) -> bool {
        self.reached.load(Ordering::SeqCst)
    }

    fn show(&mut self, model: &Model, layer: usize, streams: Streams<'_>) -> io::Result<()> {
        show(model, layer, streams)
    }
}

/// Shows `model` full-screen, starting at `layer`, until the student quits.
pub fn show(model: &Model, layer: usize, streams: Streams<'_>) -> io::Result<()> {
    let colour = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut guard = Guard::enter(streams.stdout)?;
    let mut state = State::new(model, layer);
    loop {
        let (width, height) = terminal::size()?;
        let (width, height) = (width as usize, height as usize);
        draw(
            &mut *guard.out,
            &layout(model, &state, width, height),
            colour,
        )?;
        match event::read()? {
            Event::Key(key) => {
                if let Some(key) = Key::from_event(&key)
                    && !state.apply(key, model, page(height))
                {
                    return Ok(());
                }
            }
            Event::Resize(..) => queue!(&mut guard.out, Clear(ClearType::All))?,
            _ => {}
        }
    }
}
