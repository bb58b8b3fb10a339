//! The HelmRelease detail screen: history, applied values (masked until revealed) and values sources.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::app::insight::TextPane;
use crate::app::state::AppState;

pub fn draw(frame: &mut Frame, state: &AppState, area: Rect, pane: &TextPane) {
    super::text_pane::draw(frame, state, area, pane);
}
