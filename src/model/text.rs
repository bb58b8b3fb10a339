//! Styled text without ratatui: the describe and YAML views produce lines of spans tagged with a class, and
//! the views map each class to a theme style.

/// What a span of text is, so the theme can colour it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextClass {
    Plain,
    Heading,
    Key,
    Value,
    String,
    Number,
    Boolean,
    Null,
    Comment,
    Punctuation,
    Masked,
    Ready,
    Failed,
    Reconciling,
    Suspended,
    Muted,
    /// A line a diff adds, and one it removes.
    Added,
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StyledSpan {
    pub text: String,
    pub class: TextClass,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StyledLine {
    pub spans: Vec<StyledSpan>,
}

impl StyledLine {
    pub fn push(&mut self, text: impl Into<String>, class: TextClass) {
        self.spans.push(StyledSpan { text: text.into(), class });
    }

    pub fn plain(text: impl Into<String>) -> StyledLine {
        let mut line = StyledLine::default();
        line.push(text, TextClass::Plain);
        line
    }

    /// The line's text without styles (for search and tests).
    pub fn text(&self) -> String {
        self.spans.iter().map(|span| span.text.as_str()).collect()
    }
}
