//! Compose's progress lines on stderr. Away from a terminal compose's plain writer
//! prints each event as Go's `fmt.Fprintln("", id, text, status)` does, blanks between
//! the parts: ` Container demo-web-1  Started`. At a terminal compose redraws a
//! block (`[+] Running 2/2` and a ` ✔ ` line per resource); the lab prints that block
//! once, as it stands when the command ends.

use std::io::Write;

/// One event as compose's `progress.Event`: the resource, a text and a status text.
#[derive(Debug, Clone)]
struct Event {
    id: String,
    text: String,
    status: String,
    done: bool,
    error: bool,
}

pub struct Progress {
    terminal: bool,
    /// At a terminal: each resource's last event, in first-seen order.
    lines: Vec<Event>,
    title: &'static str,
}

impl Progress {
    pub fn new(terminal: bool, title: &'static str) -> Progress {
        Progress {
            terminal,
            lines: Vec::new(),
            title,
        }
    }

    /// A resource's status: `Creating`, `Created`, `Started`, ...
    pub fn status(&mut self, out: &mut dyn Write, id: &str, status: &str) {
        let done = !matches!(
            status,
            "Creating"
                | "Starting"
                | "Stopping"
                | "Removing"
                | "Waiting"
                | "Pulling"
                | "Building"
                | "Restarting"
                | "Killing"
        );
        self.event(
            out,
            Event {
                id: id.to_string(),
                text: String::new(),
                status: status.to_string(),
                done,
                error: status == "Error",
            },
        );
    }

    /// An event whose words are its text (`web Pulling`, `web Pulled`).
    pub fn text(&mut self, out: &mut dyn Write, id: &str, text: &str, status: &str) {
        self.event(
            out,
            Event {
                id: id.to_string(),
                text: text.to_string(),
                status: status.to_string(),
                done: text != "Pulling",
                error: text == "Error",
            },
        );
    }

    fn event(&mut self, out: &mut dyn Write, e: Event) {
        if self.terminal {
            match self.lines.iter_mut().find(|l| l.id == e.id) {
                Some(line) => *line = e,
                None => self.lines.push(e),
            }
            return;
        }
        let _ = writeln!(out, " {} {} {}", e.id, e.text, e.status);
    }

    /// At a terminal, the block as compose leaves it.
    pub fn finish(&mut self, out: &mut dyn Write) {
        if !self.terminal || self.lines.is_empty() {
            return;
        }
        let done = self.lines.iter().filter(|l| l.done).count();
        let _ = writeln!(out, "[+] {} {done}/{}", self.title, self.lines.len());
        // compose pads `ID TEXT` to the longest and right-aligns each step's time on
        // an 80-column line; here every step takes no time at all.
        let width = self
            .lines
            .iter()
            .map(|l| format!("{} {}", l.id, l.text).chars().count())
            .max()
            .unwrap_or(0);
        for l in &self.lines {
            let mark = if l.error {
                "✘"
            } else if l.done {
                "✔"
            } else {
                "⠿"
            };
            let txt = format!("{} {}", l.id, l.text);
            let left = format!(" {mark} {txt:<width$} {}", l.status);
            let timer = "0.0s ";
            let fill = 80usize.saturating_sub(left.chars().count() + timer.len());
            let _ = writeln!(out, "{left}{}{timer}", " ".repeat(fill));
        }
        self.lines.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lines_are_gos_println_of_id_text_and_status() {
        let mut out = Vec::new();
        let mut p = Progress::new(false, "Running");
        p.status(&mut out, "Network demo_default", "Creating");
        p.status(&mut out, "Container demo-web-1", "Started");
        p.text(&mut out, "web", "Pulling", "");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            " Network demo_default  Creating\n Container demo-web-1  Started\n web Pulling \n"
        );
    }

    #[test]
    fn at_a_terminal_the_block_is_printed_once_at_the_end() {
        let mut out = Vec::new();
        let mut p = Progress::new(true, "Running");
        p.status(&mut out, "Network demo_default", "Creating");
        p.status(&mut out, "Network demo_default", "Created");
        p.status(&mut out, "Container demo-web-1", "Started");
        assert!(out.is_empty());
        p.finish(&mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!(
                "[+] Running 2/2\n ✔ Network demo_default  Created{}0.0s \n ✔ Container demo-web-1  Started{}0.0s \n",
                " ".repeat(43),
                " ".repeat(43)
            )
        );
    }
}
