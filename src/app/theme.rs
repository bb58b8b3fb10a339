//! Themes: the styles every view draws with. (First cut: the built-in dark theme; loading themes/*.yaml, user
//! themes and k9s skins follows.)

use ratatui::style::{Color, Modifier, Style};

use crate::model::{Readiness, TextClass};

/// Every style a view uses, by role.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    /// The screen's background and default text.
    pub body: Style,
    /// Pane borders.
    pub frame: Style,
    /// Pane titles (kind, namespace, counts).
    pub title: Style,
    /// The header lines above the panes: context, cluster, versions.
    pub header: Style,
    /// Header labels ("Context:").
    pub header_label: Style,
    /// Breadcrumbs: the current one and the others.
    pub crumb_active: Style,
    pub crumb: Style,
    /// The table's header row.
    pub table_header: Style,
    /// The selected row.
    pub selected: Style,
    /// Key names in help and footer hints.
    pub key: Style,
    /// Secondary text: hints, ages, "-".
    pub muted: Style,
    /// The filter and command lines.
    pub prompt: Style,
    /// The disconnected banner and other errors.
    pub error: Style,
    pub warning: Style,
    pub ready: Style,
    pub failed: Style,
    pub reconciling: Style,
    pub suspended: Style,
    pub unknown: Style,
    pub yaml_key: Style,
    pub yaml_string: Style,
    pub yaml_number: Style,
    pub yaml_boolean: Style,
    pub yaml_null: Style,
    pub yaml_comment: Style,
    pub masked: Style,
}

impl Theme {
    pub fn readiness(&self, readiness: Readiness) -> Style {
        match readiness {
            Readiness::Ready => self.ready,
            Readiness::Failed => self.failed,
            Readiness::Reconciling => self.reconciling,
            Readiness::Suspended => self.suspended,
            Readiness::Unknown => self.unknown,
        }
    }

    pub fn text(&self, class: TextClass) -> Style {
        match class {
            TextClass::Plain | TextClass::Value => self.body,
            TextClass::Heading => self.title,
            TextClass::Key => self.yaml_key,
            TextClass::String => self.yaml_string,
            TextClass::Number => self.yaml_number,
            TextClass::Boolean => self.yaml_boolean,
            TextClass::Null => self.yaml_null,
            TextClass::Comment => self.yaml_comment,
            TextClass::Punctuation | TextClass::Muted => self.muted,
            TextClass::Masked => self.masked,
            TextClass::Ready => self.ready,
            TextClass::Failed => self.failed,
            TextClass::Reconciling => self.reconciling,
            TextClass::Suspended => self.suspended,
        }
    }

    /// The built-in dark theme, used when no theme file is chosen or a chosen one cannot be read.
    pub fn default_dark() -> Theme {
        let fg = Color::Rgb(0xd0, 0xd7, 0xde);
        Theme {
            name: "default".to_string(),
            body: Style::new().fg(fg),
            frame: Style::new().fg(Color::Rgb(0x3b, 0x82, 0xc4)),
            title: Style::new().fg(Color::Rgb(0x5f, 0xd7, 0xff)).add_modifier(Modifier::BOLD),
            header: Style::new().fg(fg),
            header_label: Style::new().fg(Color::Rgb(0xff, 0xaf, 0x00)),
            crumb_active: Style::new().fg(Color::Black).bg(Color::Rgb(0xff, 0xaf, 0x00)),
            crumb: Style::new().fg(Color::Black).bg(Color::Rgb(0x5f, 0x87, 0xaf)),
            table_header: Style::new().fg(Color::White).add_modifier(Modifier::BOLD),
            selected: Style::new().fg(Color::Black).bg(Color::Rgb(0x5f, 0xd7, 0xff)),
            key: Style::new().fg(Color::Rgb(0x5f, 0xd7, 0xff)).add_modifier(Modifier::BOLD),
            muted: Style::new().fg(Color::Rgb(0x80, 0x80, 0x80)),
            prompt: Style::new().fg(Color::Rgb(0xff, 0xaf, 0x00)),
            error: Style::new().fg(Color::White).bg(Color::Rgb(0xaf, 0x00, 0x00)).add_modifier(Modifier::BOLD),
            warning: Style::new().fg(Color::Rgb(0xff, 0xaf, 0x00)),
            ready: Style::new().fg(Color::Rgb(0x5f, 0xd7, 0x87)),
            failed: Style::new().fg(Color::Rgb(0xff, 0x5f, 0x5f)),
            reconciling: Style::new().fg(Color::Rgb(0xff, 0xd7, 0x5f)),
            suspended: Style::new().fg(Color::Rgb(0x87, 0x87, 0xaf)),
            unknown: Style::new().fg(Color::Rgb(0x80, 0x80, 0x80)),
            yaml_key: Style::new().fg(Color::Rgb(0x5f, 0xaf, 0xff)),
            yaml_string: Style::new().fg(Color::Rgb(0xaf, 0xd7, 0x87)),
            yaml_number: Style::new().fg(Color::Rgb(0xd7, 0x87, 0xff)),
            yaml_boolean: Style::new().fg(Color::Rgb(0xff, 0xaf, 0x5f)),
            yaml_null: Style::new().fg(Color::Rgb(0x80, 0x80, 0x80)),
            yaml_comment: Style::new().fg(Color::Rgb(0x80, 0x80, 0x80)).add_modifier(Modifier::ITALIC),
            masked: Style::new().fg(Color::Rgb(0xff, 0x5f, 0x5f)),
        }
    }
}
