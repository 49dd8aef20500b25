//! Lesson text in a terminal: the lessons' Markdown (CommonMark, read by
//! pulldown-cmark) as wrapped, styled lines.
//!
//! Paragraphs and list items are filled to the width given (a terminal's, at most 80
//! columns); code blocks are kept as written, indented. With colour, headings and
//! strong text are bold, emphasis italic and code cyan; without it, inline code keeps
//! its backticks so a command still stands out from the prose around it.

use owo_colors::{OwoColorize, Stream, Style};
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use unicode_width::UnicodeWidthStr;

/// How lesson text is laid out.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// Columns a line may fill.
    pub width: usize,
    pub colour: bool,
}

impl Layout {
    /// For the lab's standard output: its terminal's width (80 columns at most, 80
    /// when it is not a terminal), and colour when owo-colors would colour it.
    pub fn stdout() -> Layout {
        use std::io::IsTerminal;
        let columns = if std::io::stdout().is_terminal() {
            crossterm::terminal::size().map_or(80, |(c, _)| c as usize)
        } else {
            80
        };
        let probe = "x"
            .if_supports_color(Stream::Stdout, |t| t.bold())
            .to_string();
        Layout {
            // The last column is left free: a full line would make some terminals
            // wrap on their own.
            width: columns.min(80).saturating_sub(1).max(20),
            colour: probe != "x",
        }
    }
}

/// A run of text in one style.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Span {
    bold: bool,
    italic: bool,
    code: bool,
}

/// Renders `markdown` as terminal lines, each ending in a newline; blocks are
/// separated by one empty line.
pub fn render(markdown: &str, layout: Layout) -> String {
    let mut r = Renderer {
        layout,
        out: String::new(),
        words: Vec::new(),
        word: Vec::new(),
        style: Span::default(),
        lists: Vec::new(),
        item_lead: None,
        quote: 0,
        heading: None,
        code_block: None,
        link: None,
        table: None,
    };
    let options = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES;
    for event in Parser::new_ext(markdown, options) {
        r.event(event);
    }
    r.flush_block();
    while r.out.ends_with("\n\n") {
        r.out.pop();
    }
    r.out
}

struct Renderer {
    layout: Layout,
    out: String,
    /// The words of the block being filled, each a list of styled pieces.
    words: Vec<Vec<(String, Span)>>,
    word: Vec<(String, Span)>,
    style: Span,
    /// Open lists: the next number of an ordered one, None for bullets.
    lists: Vec<Option<u64>>,
    /// The marker of a list item whose first line is still to come.
    item_lead: Option<String>,
    quote: usize,
    heading: Option<HeadingLevel>,
    code_block: Option<String>,
    link: Option<String>,
    /// The table being read: its rows of cells, each cell's words; the first row is
    /// the head.
    table: Option<Vec<Vec<Words>>>,
}

type Words = Vec<Vec<(String, Span)>>;

impl Renderer {
    fn event(&mut self, event: Event<'_>) {
        if let Some(code) = &mut self.code_block {
            match event {
                Event::Text(text) => code.push_str(&text),
                Event::End(TagEnd::CodeBlock) => {
                    let code = self.code_block.take().unwrap_or_default();
                    self.write_code(&code);
                }
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => self.text(&text, self.style),
            Event::Code(code) => {
                let style = Span {
                    code: true,
                    ..self.style
                };
                if self.layout.colour {
                    self.code_text(&code, style);
                } else {
                    self.code_text(&format!("`{code}`"), style);
                }
            }
            Event::SoftBreak => self.end_word(),
            Event::HardBreak => {
                self.end_word();
                self.fill();
            }
            Event::Rule => {
                self.flush_block();
                let rule = "─".repeat(self.layout.width.min(40));
                self.out.push_str(&format!("{rule}\n\n"));
            }
            Event::Html(html) | Event::InlineHtml(html) => self.text(&html, self.style),
            Event::FootnoteReference(name) => self.text(&format!("[{name}]"), self.style),
            Event::TaskListMarker(done) => self.text(if done { "[x]" } else { "[ ]" }, self.style),
            Event::InlineMath(t) | Event::DisplayMath(t) => self.text(&t, self.style),
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Heading { level, .. } => {
                self.flush_block();
                self.heading = Some(level);
                self.style.bold = true;
            }
            Tag::Emphasis => self.style.italic = true,
            Tag::Strong => self.style.bold = true,
            Tag::CodeBlock(_) => {
                self.flush_block();
                self.code_block = Some(String::new());
            }
            Tag::List(start) => {
                // A list inside an item starts after the item's own text.
                self.flush_lines();
                self.lists.push(start);
            }
            Tag::Item => {
                self.flush_lines();
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let m = format!("{n}. ");
                        *n += 1;
                        m
                    }
                    _ => "• ".to_string(),
                };
                self.item_lead = Some(marker);
            }
            Tag::BlockQuote(_) => {
                self.flush_block();
                self.quote += 1;
            }
            Tag::Link { dest_url, .. } => self.link = Some(dest_url.to_string()),
            Tag::Table(_) => {
                self.flush_block();
                self.table = Some(Vec::new());
            }
            Tag::TableHead | Tag::TableRow => {
                self.style.bold = matches!(tag, Tag::TableHead);
                if let Some(rows) = &mut self.table {
                    rows.push(Vec::new());
                }
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(_) => {
                self.flush_block();
                self.heading = None;
                self.style.bold = false;
            }
            TagEnd::Emphasis => self.style.italic = false,
            TagEnd::Strong => self.style.bold = self.heading.is_some(),
            TagEnd::Paragraph => {
                if self.lists.is_empty() {
                    self.flush_block();
                } else {
                    self.flush_lines();
                }
            }
            TagEnd::Item => self.flush_lines(),
            TagEnd::List(_) => {
                self.flush_lines();
                self.lists.pop();
                if self.lists.is_empty() {
                    self.out.push('\n');
                }
            }
            TagEnd::BlockQuote(_) => {
                self.flush_block();
                self.quote = self.quote.saturating_sub(1);
            }
            TagEnd::TableCell => {
                self.end_word();
                let words = std::mem::take(&mut self.words);
                if let Some(row) = self.table.as_mut().and_then(|t| t.last_mut()) {
                    row.push(words);
                }
            }
            TagEnd::TableHead => self.style.bold = false,
            TagEnd::Table => {
                let rows = self.table.take().unwrap_or_default();
                self.write_table(rows);
            }
            TagEnd::Link => {
                if let Some(url) = self.link.take()
                    && !url.is_empty()
                {
                    self.end_word();
                    self.text(&format!("({url})"), self.style);
                }
            }
            _ => {}
        }
    }

    /// Prose: split at spaces into words.
    fn text(&mut self, text: &str, style: Span) {
        let mut pieces = text.split(' ').peekable();
        while let Some(piece) = pieces.next() {
            if !piece.is_empty() {
                self.word.push((piece.to_string(), style));
            }
            if pieces.peek().is_some() {
                self.end_word();
            }
        }
    }

    /// Inline code is kept on one line when it fits.
    fn code_text(&mut self, code: &str, style: Span) {
        if code.width() + self.indent_width() <= self.layout.width {
            self.word.push((code.to_string(), style));
        } else {
            self.text(code, style);
        }
    }

    fn end_word(&mut self) {
        if !self.word.is_empty() {
            self.words.push(std::mem::take(&mut self.word));
        }
    }

    /// The prefix of every line at this depth: quote bars and list indentation.
    fn prefix(&self) -> String {
        let mut p = "│ ".repeat(self.quote);
        if !self.lists.is_empty() {
            p.push_str(&"  ".repeat(self.lists.len() - 1));
            p.push_str("  ");
        }
        p
    }

    fn indent_width(&self) -> usize {
        self.prefix().width() + self.item_lead.as_ref().map_or(0, |m| m.width())
    }

    /// Writes the words gathered so far as filled lines.
    fn fill(&mut self) {
        self.end_word();
        if self.words.is_empty() {
            if let Some(lead) = self.item_lead.take() {
                let line = format!("{}{lead}", self.prefix());
                self.out.push_str(line.trim_end());
                self.out.push('\n');
            }
            return;
        }
        let prefix = self.prefix();
        let lead = self.item_lead.take();
        let hang = " ".repeat(lead.as_ref().map_or(0, |l| l.width()));
        let mut first = true;
        let mut line = String::new();
        let mut used = 0;
        let start = |first: bool| {
            let mut s = prefix.clone();
            match (&lead, first) {
                (Some(l), true) => s.push_str(l),
                (Some(_), false) => s.push_str(&hang),
                _ => {}
            }
            s
        };
        for word in std::mem::take(&mut self.words) {
            let width: usize = word.iter().map(|(t, _)| t.width()).sum();
            if used == 0 {
                line = start(first);
                used = line.width();
            } else if used + 1 + width > self.layout.width {
                self.out.push_str(&line);
                self.out.push('\n');
                first = false;
                line = start(first);
                used = line.width();
            } else {
                line.push(' ');
                used += 1;
            }
            for (text, span) in word {
                line.push_str(&self.styled(&text, span));
            }
            used += width;
        }
        self.out.push_str(&line);
        self.out.push('\n');
    }

    /// Ends the lines of a list item or nested block, without a blank line.
    fn flush_lines(&mut self) {
        self.end_word();
        if !self.words.is_empty() || self.item_lead.is_some() {
            self.fill();
        }
    }

    /// Ends a block: its lines, then one empty line.
    fn flush_block(&mut self) {
        self.end_word();
        if self.words.is_empty() && self.item_lead.is_none() {
            return;
        }
        self.fill();
        self.out.push('\n');
    }

    /// A table as aligned columns, two spaces apart, with a rule under its head; the
    /// last column is filled to the width left, continuing under itself.
    fn write_table(&mut self, rows: Vec<Vec<Words>>) {
        let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
        if columns == 0 {
            return;
        }
        let width_of = |words: &Words| -> usize {
            let chars: usize = words
                .iter()
                .flat_map(|w| w.iter().map(|(t, _)| t.width()))
                .sum();
            chars + words.len().saturating_sub(1)
        };
        let mut widths = vec![0; columns];
        for row in &rows {
            for (i, cell) in row.iter().enumerate() {
                widths[i] = widths[i].max(width_of(cell));
            }
        }
        let prefix = self.prefix();
        let lead: usize =
            prefix.width() + widths[..columns - 1].iter().map(|w| w + 2).sum::<usize>();
        let last = self.layout.width.saturating_sub(lead).max(20);
        widths[columns - 1] = widths[columns - 1].min(last);
        for (n, row) in rows.iter().enumerate() {
            let mut line = prefix.clone();
            for (i, width) in widths[..columns - 1].iter().enumerate() {
                let cell = row.get(i).cloned().unwrap_or_default();
                let pad = width - width_of(&cell);
                line.push_str(&self.join_words(&cell));
                line.push_str(&" ".repeat(pad + 2));
            }
            let mut used = 0;
            for word in row.get(columns - 1).cloned().unwrap_or_default() {
                let w: usize = word.iter().map(|(t, _)| t.width()).sum();
                if used > 0 && used + 1 + w > last {
                    self.out.push_str(line.trim_end());
                    self.out.push('\n');
                    line = " ".repeat(lead);
                    used = 0;
                } else if used > 0 {
                    line.push(' ');
                    used += 1;
                }
                line.push_str(&self.join_words(&[word]));
                used += w;
            }
            self.out.push_str(line.trim_end());
            self.out.push('\n');
            if n == 0 {
                let total = lead - prefix.width() + widths[columns - 1];
                self.out
                    .push_str(&format!("{prefix}{}\n", "─".repeat(total)));
            }
        }
        self.out.push('\n');
    }

    fn join_words(&self, words: &[Vec<(String, Span)>]) -> String {
        let shown: Vec<String> = words
            .iter()
            .map(|w| w.iter().map(|(t, s)| self.styled(t, *s)).collect())
            .collect();
        shown.join(" ")
    }

    fn write_code(&mut self, code: &str) {
        let prefix = format!("{}    ", self.prefix());
        for line in code.trim_end_matches('\n').lines() {
            let shown = self.styled(
                line,
                Span {
                    code: true,
                    ..Span::default()
                },
            );
            self.out.push_str(format!("{prefix}{shown}").trim_end());
            self.out.push('\n');
        }
        if self.lists.is_empty() {
            self.out.push('\n');
        }
    }

    fn styled(&self, text: &str, span: Span) -> String {
        if !self.layout.colour || text.is_empty() {
            return text.to_string();
        }
        let mut style = Style::new();
        if span.bold {
            style = style.bold();
        }
        if span.italic {
            style = style.italic();
        }
        if span.code {
            style = style.cyan();
        }
        if self.heading == Some(HeadingLevel::H1) {
            style = style.underline();
        }
        text.style(style).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Layout = Layout {
        width: 40,
        colour: false,
    };

    #[test]
    fn paragraphs_fill_the_width_and_blocks_are_apart() {
        let text = "# Images\n\nAn *image* is a read-only template. It holds a filesystem and a little metadata.\n\nSecond paragraph.\n";
        assert_eq!(
            render(text, PLAIN),
            "Images\n\nAn image is a read-only template. It\nholds a filesystem and a little\nmetadata.\n\nSecond paragraph.\n"
        );
    }

    #[test]
    fn inline_code_keeps_its_backticks_without_colour_and_stays_whole() {
        let text = "Then type `docker run -d --name web nginx` to start it.";
        assert_eq!(
            render(text, PLAIN),
            "Then type\n`docker run -d --name web nginx` to\nstart it.\n"
        );
    }

    #[test]
    fn code_blocks_are_kept_as_written_and_lists_hang() {
        let text = "Run:\n\n    docker images\n    docker ps -a\n\n- one item that is long enough to wrap around\n- two\n\n1. first\n2. second\n";
        assert_eq!(
            render(text, PLAIN),
            "Run:\n\n    docker images\n    docker ps -a\n\n  • one item that is long enough to wrap\n    around\n  • two\n\n  1. first\n  2. second\n"
        );
    }

    #[test]
    fn tables_line_up_and_the_last_column_wraps_under_itself() {
        let text = "| instruction | what it does |\n|---|---|\n| `FROM image` | start from an existing image (always first) |\n| `RUN command` | run it |\n";
        assert_eq!(
            render(text, PLAIN),
            "instruction    what it does\n\
             ────────────────────────────────────────\n\
             `FROM image`   start from an existing\n\
             \x20              image (always first)\n\
             `RUN command`  run it\n"
        );
    }

    #[test]
    fn colour_styles_without_changing_the_words() {
        let layout = Layout {
            width: 40,
            colour: true,
        };
        let shown = render("**bold** and `code`", layout);
        assert!(shown.contains("\u{1b}[1mbold"), "{shown:?}");
        assert!(shown.contains("\u{1b}[36mcode"), "{shown:?}");
        assert!(!shown.contains('`'));
    }

    proptest::proptest! {
        /// Lesson files are written by hand: no text, however broken its Markdown,
        /// makes the renderer panic, and colour only adds to what is shown.
        #[test]
        fn any_text_renders(text in "[a-z `*_#|>\\-\n0-9.\\[\\]()]{0,400}", width in 20usize..100) {
            let shown = render(&text, Layout { width, colour: false });
            let shown_coloured = render(&text, Layout { width, colour: true });
            proptest::prop_assert!(shown.len() <= shown_coloured.len());
        }
    }

    #[test]
    fn no_shipped_lesson_text_is_wider_than_80_columns() {
        let lessons = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons");
        let layout = Layout {
            width: 79,
            colour: false,
        };
        let mut seen = 0;
        for entry in std::fs::read_dir(lessons).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            let lesson = crate::lesson::load(&path).unwrap();
            for step in &lesson.steps {
                let texts: Vec<&str> = match step.kind() {
                    Some(crate::lesson::StepKind::Text(t)) => vec![t],
                    Some(crate::lesson::StepKind::Exercise(e)) => {
                        let mut t = vec![e.goal.as_str()];
                        t.extend(e.why_it_matters.as_deref());
                        t
                    }
                    Some(crate::lesson::StepKind::Predict(p)) => vec![p.prompt.as_str()],
                    None => vec![],
                };
                for text in texts {
                    seen += 1;
                    for line in render(text, layout).lines() {
                        // Code blocks are kept as written; lessons keep them short.
                        assert!(line.width() <= 79, "{}: {line:?}", path.display());
                    }
                }
            }
        }
        assert!(seen > 20, "the lessons were read");
    }
}
