//! k9s skins, read as fluxtui themes, so a user's existing k9s look carries over.
//!
//! A skin is a YAML file whose top-level key is `k9s:`; other top-level keys usually hold YAML anchors
//! (`foreground: &foreground "#f8f8f2"`) that the skin refers to with `*foreground`. Colour names follow tcell, as
//! k9s does ([`ColorDialect::K9s`]). Keys fluxtui has no use for (logs, charts, xray, dialog...) are ignored, and a
//! role the skin leaves out keeps the default theme's style. The mapping, role by role, is the table in
//! `themes/README.md`; [`SkinFile::to_theme`] is its only implementation.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::parse::{ColorText, resolve_color};
use super::{ColorDialect, Theme, ThemeError};

type SkinColor = Option<Spanned<ColorText>>;

#[derive(Debug, Deserialize)]
pub(super) struct SkinFile {
    k9s: Skin,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Skin {
    body: Body,
    prompt: Prompt,
    info: Info,
    frame: Frame,
    views: Views,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Body {
    fg_color: SkinColor,
    bg_color: SkinColor,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Prompt {
    fg_color: SkinColor,
    bg_color: SkinColor,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Info {
    fg_color: SkinColor,
    section_color: SkinColor,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Frame {
    border: Border,
    menu: Menu,
    crumbs: Crumbs,
    status: Status,
    title: Title,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Border {
    fg_color: SkinColor,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Menu {
    fg_color: SkinColor,
    key_color: SkinColor,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Crumbs {
    fg_color: SkinColor,
    bg_color: SkinColor,
    active_color: SkinColor,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Status {
    modify_color: SkinColor,
    pending_color: SkinColor,
    error_color: SkinColor,
    highlight_color: SkinColor,
    kill_color: SkinColor,
    completed_color: SkinColor,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Title {
    fg_color: SkinColor,
    bg_color: SkinColor,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Views {
    table: Table,
    yaml: Yaml,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Table {
    fg_color: SkinColor,
    cursor_fg_color: SkinColor,
    cursor_bg_color: SkinColor,
    header: TableHeader,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct TableHeader {
    fg_color: SkinColor,
    bg_color: SkinColor,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Yaml {
    key_color: SkinColor,
    colon_color: SkinColor,
    value_color: SkinColor,
}

/// Sets the colours the skin gives on a role, keeping the rest of the role's default style.
fn paint(style: &mut Style, fg: Option<Color>, bg: Option<Color>) {
    if let Some(fg) = fg {
        *style = style.fg(fg);
    }
    if let Some(bg) = bg {
        *style = style.bg(bg);
    }
}

impl SkinFile {
    /// Maps the skin onto the default theme (table in `themes/README.md`).
    pub(super) fn to_theme(&self, name: &str, file_label: &str) -> Result<Theme, ThemeError> {
        let color = |written: &SkinColor| -> Result<Option<Color>, ThemeError> {
            written.as_ref().map(|text| resolve_color(text, ColorDialect::K9s, file_label)).transpose()
        };
        let skin = &self.k9s;
        let (frame, views, status) = (&skin.frame, &skin.views, &skin.frame.status);
        let mut theme = Theme { name: name.to_string(), ..Theme::default_dark() };

        paint(&mut theme.body, color(&skin.body.fg_color)?, color(&skin.body.bg_color)?);
        paint(&mut theme.frame, color(&frame.border.fg_color)?, None);
        paint(&mut theme.title, color(&frame.title.fg_color)?, color(&frame.title.bg_color)?);
        paint(&mut theme.header, color(&skin.info.fg_color)?, None);
        paint(&mut theme.header_label, color(&skin.info.section_color)?, None);
        let crumb_fg = color(&frame.crumbs.fg_color)?;
        paint(&mut theme.crumb_active, crumb_fg, color(&frame.crumbs.active_color)?);
        paint(&mut theme.crumb, crumb_fg, color(&frame.crumbs.bg_color)?);
        let header = &views.table.header;
        paint(&mut theme.table_header, color(&header.fg_color)?, color(&header.bg_color)?);
        paint(&mut theme.selected, color(&views.table.cursor_fg_color)?, color(&views.table.cursor_bg_color)?);
        paint(&mut theme.key, color(&frame.menu.key_color)?, None);
        paint(&mut theme.muted, color(&frame.menu.fg_color)?, None);
        paint(&mut theme.prompt, color(&skin.prompt.fg_color)?, color(&skin.prompt.bg_color)?);

        // k9s colours a failing row's text; a white-on-red banner in the skin's red would clash, so the error
        // role becomes bold text in that colour.
        if let Some(error) = color(&status.error_color)? {
            theme.error = Style::new().fg(error).add_modifier(Modifier::BOLD);
            theme.failed = Style::new().fg(error);
        }
        // Older skins have no pendingColor; k9s then shows pending rows in the modify colour.
        let pending = match color(&status.pending_color)? {
            Some(pending) => Some(pending),
            None => color(&status.modify_color)?,
        };
        paint(&mut theme.warning, pending, None);
        paint(&mut theme.reconciling, pending, None);
        // k9s draws healthy rows in the table's own colour.
        paint(&mut theme.ready, color(&views.table.fg_color)?, None);
        paint(&mut theme.suspended, color(&status.kill_color)?, None);
        paint(&mut theme.unknown, color(&status.completed_color)?, None);
        paint(&mut theme.masked, color(&status.highlight_color)?, None);

        let yaml = &views.yaml;
        let value = color(&yaml.value_color)?;
        let colon = color(&yaml.colon_color)?;
        paint(&mut theme.yaml_key, color(&yaml.key_color)?, None);
        for role in [&mut theme.yaml_string, &mut theme.yaml_number, &mut theme.yaml_boolean] {
            paint(role, value, None);
        }
        paint(&mut theme.yaml_null, colon, None);
        paint(&mut theme.yaml_comment, colon, None);
        Ok(theme)
    }
}
