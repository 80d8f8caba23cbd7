//! Diagnostics with a code frame: what is wrong, where (`file:LINE:COL`), and how to fix it.
//!
//! One [`Diagnostic`] type serves every input wixsync reads (the manifest and the app's
//! TypeScript files), so the binary renders them all the same way with `miette`.

use std::fmt;
use std::sync::Arc;

use miette::{LabeledSpan, NamedSource, SourceCode};

/// How bad a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Something wixsync does not stop for, but a person should know.
    Warning,
    /// wixsync stops: nothing is written, exit code 1.
    Error,
}

/// A source file a diagnostic points into: its display name (a path relative to the app
/// root, like `wix-events.yaml` or `src/extensions.ts`) and its text.
#[derive(Clone)]
pub struct SourceFile {
    inner: Arc<NamedSource<String>>,
    text: Arc<str>,
}

impl SourceFile {
    /// A source named `name` (shown in `name:LINE:COL`) with its full `text`.
    pub fn new(name: impl AsRef<str>, text: impl Into<String>) -> Self {
        let text: String = text.into();
        Self {
            text: Arc::from(text.as_str()),
            inner: Arc::new(NamedSource::new(name.as_ref(), text)),
        }
    }

    /// The display name.
    pub fn name(&self) -> &str {
        self.inner.name()
    }

    /// The full text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// 1-based line and column (in characters) of a byte `offset`; an offset past the end
    /// maps to the end of the text.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..floor_char_boundary(&self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        (line, col)
    }
}

impl fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceFile")
            .field("name", &self.name())
            .finish()
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A labelled byte range of a [`SourceFile`]: `offset` and `len` in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Byte offset of the range's start.
    pub offset: usize,
    /// Length of the range in bytes (0 points between two characters).
    pub len: usize,
    /// The text shown under the range.
    pub text: String,
}

/// One problem found in an input, ready to render with `miette`.
///
/// `message` says what is wrong, `labels` where (the first label is the primary location,
/// shown as `file:LINE:COL`), and `help` how to fix it.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable, greppable code such as `manifest::unknown-key`.
    pub code: &'static str,
    /// What is wrong, in one sentence.
    pub message: String,
    /// The file the labels point into; `None` for problems that are not about one place.
    pub source: Option<SourceFile>,
    /// The places in `source`, primary first.
    pub labels: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error with a message and no location yet.
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            code,
            message: message.into(),
            source: None,
            labels: Vec::new(),
            help: None,
        }
    }

    /// A warning with a message and no location yet.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, message)
        }
    }

    /// Points the diagnostic into `source`.
    pub fn in_source(mut self, source: &SourceFile) -> Self {
        self.source = Some(source.clone());
        self
    }

    /// Adds a label over `len` bytes at `offset`.
    pub fn label(mut self, offset: usize, len: usize, text: impl Into<String>) -> Self {
        self.labels.push(Label {
            offset,
            len,
            text: text.into(),
        });
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// `file:LINE:COL` of the primary label, or the file name alone, or `None`.
    pub fn location(&self) -> Option<String> {
        let source = self.source.as_ref()?;
        Some(match self.labels.first() {
            Some(label) => {
                let (line, col) = source.line_col(label.offset);
                format!("{}:{line}:{col}", source.name())
            }
            None => source.name().to_owned(),
        })
    }

    /// Whether this diagnostic stops wixsync.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The message alone: renderers show the location in the code frame (`miette`) or prepend
/// [`Diagnostic::location`] themselves.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Warning => miette::Severity::Warning,
            Severity::Error => miette::Severity::Error,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source
            .as_ref()
            .map(|source| source.inner.as_ref() as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.source.is_none() || self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().enumerate().map(
            |(i, label)| {
                let span = (label.offset, label.len);
                if i == 0 {
                    LabeledSpan::new_primary_with_span(Some(label.text.clone()), span)
                } else {
                    LabeledSpan::new_with_span(Some(label.text.clone()), span)
                }
            },
        )))
    }
}

/// Renders diagnostics as text with code frames, `width` columns wide, coloured or not.
///
/// Long lines wrap at spaces only, so a path like `src/extensions.ts:5:8` is never split.
pub fn render(diagnostics: &[Diagnostic], width: usize, color: bool) -> String {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false)
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        .with_break_words(false);
    let mut out = String::new();
    for diagnostic in diagnostics {
        // Writing into a String cannot fail.
        let _ = match diagnostic.without_long_frame() {
            Some(plain) => handler.render_report(&mut out, &plain),
            None => handler.render_report(&mut out, diagnostic),
        };
    }
    out
}

/// The longest line, in characters, shown in a code frame. miette pads a label's underline
/// to its column with a format width, which panics above 65,535 ("Formatting argument out of
/// range"), and a frame of a line that long is unreadable anyway: a diagnostic whose frame
/// would show a longer line is rendered without a frame, its place in the message.
pub const MAX_FRAME_LINE_CHARS: usize = 4096;

impl Diagnostic {
    /// When the code frame would show a line longer than [`MAX_FRAME_LINE_CHARS`] (a label's
    /// lines and the one line of context miette shows on each side), the same diagnostic
    /// without the frame: `file:LINE:COL: message`, and a note in the help. `None` otherwise.
    fn without_long_frame(&self) -> Option<Diagnostic> {
        let source = self.source.as_ref()?;
        let text = source.text();
        let too_long = self.labels.iter().any(|label| {
            let start = floor_char_boundary(text, label.offset.min(text.len()));
            let end = floor_char_boundary(text, (label.offset + label.len).min(text.len()));
            // From the start of the line before the label to the end of the line after it.
            let mut from = text[..start].rfind('\n').unwrap_or(0);
            from = text[..from].rfind('\n').map_or(0, |i| i + 1);
            let mut to = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
            to = text[to..].find('\n').map_or(text.len(), |i| to + i);
            text[from..to].split('\n').any(|line| {
                line.len() > MAX_FRAME_LINE_CHARS && line.chars().count() > MAX_FRAME_LINE_CHARS
            })
        });
        if !too_long {
            return None;
        }
        let location = self.location().unwrap_or_else(|| source.name().to_owned());
        let note =
            format!("(no code frame: the line is longer than {MAX_FRAME_LINE_CHARS} characters)");
        Some(Diagnostic {
            severity: self.severity,
            code: self.code,
            message: format!("{location}: {}", self.message),
            source: None,
            labels: Vec::new(),
            help: Some(match &self.help {
                Some(help) => format!("{help} {note}"),
                None => note,
            }),
        })
    }
}

/// [`render`] without colour: what tests snapshot.
pub fn render_plain(diagnostics: &[Diagnostic], width: usize) -> String {
    render(diagnostics, width, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let source = SourceFile::new("f", "ab\nçé x\n");
        assert_eq!(source.line_col(0), (1, 1));
        assert_eq!(source.line_col(3), (2, 1));
        // 'ç' and 'é' are two bytes each: byte 8 is the 'x', the fourth character.
        assert_eq!(source.line_col(8), (2, 4));
        assert_eq!(source.line_col(100), (3, 1));
    }

    #[test]
    fn a_label_on_a_very_long_line_renders_without_a_frame() {
        // miette panicked on a column above 65,535 (issue "Crash and concurrency safety").
        let text = format!(
            "let x = 1;\nexport default app(){}.use(((;\n",
            " ".repeat(70_000)
        );
        let at = text.find(".use").unwrap();
        let source = SourceFile::new("src/extensions.ts", text);
        let d = Diagnostic::error(
            "scan::parse",
            "src/extensions.ts does not parse: Expected ')'",
        )
        .in_source(&source)
        .label(at, 4, "here")
        .help("fix the syntax error");
        let out = render_plain(&[d], 100);
        assert!(
            out.contains("src/extensions.ts:2:70021: src/extensions.ts does not parse"),
            "{out}"
        );
        assert!(
            out.contains("(no code frame: the line is longer than 4096 characters)"),
            "{out}"
        );
        assert!(out.len() < 1000, "{out}");
        // A short line keeps its frame, even next to a long line elsewhere in the file.
        let text = format!("{}\nx\ny\nbad\n", " ".repeat(70_000));
        let at = text.find("bad").unwrap();
        let source = SourceFile::new("f.ts", text);
        let d = Diagnostic::error("x", "bad")
            .in_source(&source)
            .label(at, 3, "here");
        let out = render_plain(&[d], 100);
        assert!(out.contains("[f.ts:4:1]"), "{out}");
        // The line just before a label is context: a long one there drops the frame too.
        let text = format!("{}\nbad\n", " ".repeat(70_000));
        let source = SourceFile::new("f.ts", text);
        let d = Diagnostic::error("x", "bad")
            .in_source(&source)
            .label(70_001, 3, "here");
        assert!(render_plain(&[d], 100).contains("f.ts:2:1: bad"));
    }

    #[test]
    fn location_is_file_line_col() {
        let source = SourceFile::new("wix-events.yaml", "version: 2\n");
        let d = Diagnostic::error("x", "bad version")
            .in_source(&source)
            .label(9, 1, "here");
        assert_eq!(d.location().unwrap(), "wix-events.yaml:1:10");
        assert_eq!(d.to_string(), "bad version");
    }
}
