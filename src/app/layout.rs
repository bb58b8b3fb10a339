//! Where everything goes on the screen. Computed from the state alone, so drawing and mouse hit-testing agree
//! without the renderer having to remember anything.

use ratatui::layout::Rect;

use super::state::{AppState, Mode, Screen};
use crate::cluster::ConnectionState;

/// Screen regions for one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    /// The disconnected banner, when the connection is down.
    pub banner: Option<Rect>,
    /// The filter or command line, while typing.
    pub prompt: Option<Rect>,
    /// The framed main pane.
    pub main: Rect,
    /// Inside the frame, below the tabs and the column titles: the rows.
    pub body: Rect,
    /// Inside the frame, the line with the column titles (tables only).
    pub column_titles: Option<Rect>,
    /// Inside the frame, the pane's tabs (panes with several kinds).
    pub tabs: Option<Rect>,
    /// Under the frame: the selected row's full message.
    pub detail: Option<Rect>,
    /// The last line: breadcrumbs and the flash message.
    pub footer: Rect,
}

/// Header height: context, cluster, versions, namespace.
pub const HEADER_HEIGHT: u16 = 4;

pub fn areas(state: &AppState) -> Areas {
    let (width, height) = state.size;
    let full = Rect::new(0, 0, width, height);
    let mut y = full.y;
    let take = |rows: u16, y: &mut u16| {
        let rows = rows.min(full.bottom().saturating_sub(*y));
        let rect = Rect::new(full.x, *y, full.width, rows);
        *y += rows;
        rect
    };
    let header = take(if height >= 16 { HEADER_HEIGHT } else { 1 }, &mut y);
    let banner = (!matches!(state.connection, ConnectionState::Connected)).then(|| take(1, &mut y));
    let prompt = (state.mode != Mode::Normal).then(|| take(3, &mut y));
    let is_table = matches!(state.screen(), Screen::Table { .. });
    let detail_height = if is_table && height >= 20 { 2 } else { 0 };
    let footer_height = 1;
    let main_height = full.bottom().saturating_sub(y).saturating_sub(detail_height + footer_height);
    let main = take(main_height, &mut y);
    let detail = (detail_height > 0).then(|| take(detail_height, &mut y));
    let footer = take(footer_height, &mut y);

    let inner = Rect::new(
        main.x.saturating_add(1),
        main.y.saturating_add(1),
        main.width.saturating_sub(2),
        main.height.saturating_sub(2),
    );
    let mut inner_y = inner.y;
    let mut tabs = None;
    let mut column_titles = None;
    if let Screen::Table { pane, .. } = state.screen() {
        if pane.tabs().len() > 1 && inner.height > 2 {
            tabs = Some(Rect::new(inner.x, inner_y, inner.width, 1));
            inner_y += 1;
        }
        if inner.bottom() > inner_y {
            column_titles = Some(Rect::new(inner.x, inner_y, inner.width, 1));
            inner_y += 1;
        }
    }
    let body = Rect::new(inner.x, inner_y, inner.width, inner.bottom().saturating_sub(inner_y));
    Areas { header, banner, prompt, main, body, column_titles, tabs, detail, footer }
}

/// How many rows the visible table or text shows at once.
pub fn body_height(state: &AppState) -> usize {
    areas(state).body.height as usize
}
