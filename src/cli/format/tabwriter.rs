//! Go's `text/tabwriter` as the docker CLI configures it
//! (`tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)`): tab-terminated cells are padded to the
//! widest cell of their column block + 3 spaces, at least 10; the last cell of a line
//! (the one not ended by a tab) is never padded, so lines carry no trailing spaces.

/// Aligns tab-separated text. Collect text with [`TableWriter::write_str`] or
/// [`TableWriter::row`], then [`TableWriter::finish`].
#[derive(Clone, Debug)]
pub struct TableWriter {
    minwidth: usize,
    padding: usize,
    padchar: char,
    text: String,
}

impl Default for TableWriter {
    fn default() -> Self {
        TableWriter::new()
    }
}

impl TableWriter {
    /// The docker CLI's settings: minwidth 10, padding 3, padchar ' '.
    pub fn new() -> TableWriter {
        TableWriter::with_params(10, 3, ' ')
    }

    /// Other settings (tabwidth only matters for a '\t' padchar, which is not supported).
    pub fn with_params(minwidth: usize, padding: usize, padchar: char) -> TableWriter {
        TableWriter {
            minwidth,
            padding,
            padchar,
            text: String::new(),
        }
    }

    /// Buffers raw text: '\t' ends a cell, '\n' ends a line.
    pub fn write_str(&mut self, s: &str) {
        self.text.push_str(s);
    }

    /// Buffers one line of cells.
    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) {
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                self.text.push('\t');
            }
            self.text.push_str(c.as_ref());
        }
        self.text.push('\n');
    }

    /// The aligned text (Go's `Flush`).
    pub fn finish(self) -> String {
        format_text(&self.text, self.minwidth, self.padding, self.padchar)
    }
}

/// Aligns `text` with the docker CLI's tabwriter settings.
pub fn tabwrite(text: &str) -> String {
    format_text(text, 10, 3, ' ')
}

struct Cell<'a> {
    text: &'a str,
    width: usize,
}

fn format_text(text: &str, minwidth: usize, padding: usize, padchar: char) -> String {
    let lines: Vec<Vec<Cell<'_>>> = text
        .split('\n')
        .map(|l| {
            l.split('\t')
                .map(|c| Cell {
                    text: c,
                    width: c.chars().count(),
                })
                .collect()
        })
        .collect();
    let mut w = Layout {
        lines: &lines,
        minwidth,
        padding,
        padchar,
        widths: Vec::new(),
        out: String::with_capacity(text.len() * 2),
    };
    w.format(0, lines.len());
    w.out
}

struct Layout<'a, 'b> {
    lines: &'b [Vec<Cell<'a>>],
    minwidth: usize,
    padding: usize,
    padchar: char,
    widths: Vec<usize>,
    out: String,
}

impl Layout<'_, '_> {
    // Go's (*Writer).format: a column block is a run of consecutive lines that have a
    // cell in this column; each block gets its own width.
    fn format(&mut self, mut line0: usize, line1: usize) {
        let column = self.widths.len();
        let mut this = line0;
        while this < line1 {
            if column + 1 >= self.lines[this].len() {
                this += 1;
                continue;
            }
            self.write_lines(line0, this);
            line0 = this;
            let mut width = self.minwidth;
            while this < line1 {
                let line = &self.lines[this];
                if column + 1 >= line.len() {
                    break;
                }
                width = width.max(line[column].width + self.padding);
                this += 1;
            }
            self.widths.push(width);
            self.format(line0, this);
            self.widths.pop();
            line0 = this;
        }
        self.write_lines(line0, line1);
    }

    fn write_lines(&mut self, line0: usize, line1: usize) {
        for i in line0..line1 {
            for (j, c) in self.lines[i].iter().enumerate() {
                self.out.push_str(c.text);
                if let Some(&w) = self.widths.get(j) {
                    for _ in c.width..w {
                        self.out.push(self.padchar);
                    }
                }
            }
            if i + 1 < self.lines.len() {
                self.out.push('\n');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_headers_byte_for_byte() {
        // Captured from docker 28.2.2 with an empty daemon.
        assert_eq!(
            tabwrite("CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES\n"),
            "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n"
        );
        assert_eq!(
            tabwrite("REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\n"),
            "REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n"
        );
        assert_eq!(tabwrite("CONTAINER ID\tNAMES\n"), "CONTAINER ID   NAMES\n");
    }

    #[test]
    fn widest_cell_plus_three_and_no_trailing_padding() {
        let mut t = TableWriter::new();
        t.row(&["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]);
        t.row(&[
            "localhost:5000/mynmap",
            "1.0",
            "0123456789ab",
            "2 minutes ago",
            "7.8MB",
        ]);
        t.row(&["alpine", "latest", "fedcba987654", "3 weeks ago", "7.8MB"]);
        assert_eq!(
            t.finish(),
            "REPOSITORY              TAG       IMAGE ID       CREATED         SIZE\n\
             localhost:5000/mynmap   1.0       0123456789ab   2 minutes ago   7.8MB\n\
             alpine                  latest    fedcba987654   3 weeks ago     7.8MB\n"
        );
    }

    #[test]
    fn empty_cells_runes_and_blocks() {
        // Empty cells are padded too; widths count runes, not bytes.
        assert_eq!(tabwrite("a\t\tc\n"), "a                   c\n");
        assert_eq!(tabwrite("é…\tx\n"), "é…        x\n");
        // A trailing tab makes the last text a padded cell.
        assert_eq!(tabwrite("a\tb\t\n"), "a         b         \n");
        // A line without tabs ends the column block: widths restart after it.
        assert_eq!(
            tabwrite("aaaaaaaaaaaaaaa\tb\nplain\nc\td\n"),
            "aaaaaaaaaaaaaaa   b\nplain\nc         d\n"
        );
        // No trailing newline: the last line is written as is.
        assert_eq!(tabwrite("a\tb"), "a         b");
        assert_eq!(tabwrite(""), "");
    }
}
