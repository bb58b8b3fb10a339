//! A table's rows as shown: filtered, sorted, with the selection, the scroll offset and the column widths,
//! all computed in the update step so that drawing only slices the visible rows.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use unicode_width::UnicodeWidthStr;

use crate::model::{Column, Filter, ObjectKey, Row, SortSpec};

/// Widest a column may get before the table clips it (the detail line shows the full text).
const MAX_COLUMN_WIDTH: usize = 80;

#[derive(Debug, Clone)]
pub struct TableView {
    pub columns: Vec<Column>,
    /// The rows that pass the filter, sorted.
    pub rows: Vec<Arc<Row>>,
    /// How many rows there are before filtering.
    pub total: usize,
    pub selected: usize,
    /// The first row drawn.
    pub offset: usize,
    pub sort: SortSpec,
    /// The filter as typed, and parsed.
    pub filter_text: String,
    pub filter: Filter,
    /// Each column's width: the widest cell (capped) or the title.
    pub widths: Vec<u16>,
}

impl TableView {
    pub fn new(columns: Vec<Column>) -> TableView {
        TableView {
            columns,
            rows: Vec::new(),
            total: 0,
            selected: 0,
            offset: 0,
            sort: SortSpec::default(),
            filter_text: String::new(),
            filter: Filter::default(),
            widths: Vec::new(),
        }
    }

    pub fn selected_row(&self) -> Option<&Arc<Row>> {
        self.rows.get(self.selected)
    }

    /// Replaces the rows with `all` filtered and sorted, keeping the selection on the same object when it is
    /// still there (so a watch event never moves the cursor under the user).
    pub fn set_rows(&mut self, all: Vec<Arc<Row>>, now: DateTime<Utc>) {
        let selected_key: Option<ObjectKey> = self.selected_row().map(|row| row.key.clone());
        self.total = all.len();
        let mut rows: Vec<Arc<Row>> = all.into_iter().filter(|row| self.filter.matches(row)).collect();
        let sort = self.sort;
        rows.sort_by(|a, b| sort.compare(a, b));
        self.rows = rows;
        if let Some(key) = selected_key
            && let Some(index) = self.rows.iter().position(|row| row.key == key)
        {
            self.selected = index;
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        self.widths = self.compute_widths(now);
    }

    /// Re-sorts and re-filters the current rows (after the sort or the filter changed).
    pub fn refresh(&mut self, all: Vec<Arc<Row>>, now: DateTime<Utc>) {
        self.set_rows(all, now);
    }

    fn compute_widths(&self, now: DateTime<Utc>) -> Vec<u16> {
        self.columns
            .iter()
            .map(|&column| {
                let title = column.title().width() + 1;
                let widest = match column {
                    // Times are at most "99m59s"-like; no need to measure every row.
                    Column::Age | Column::LastReconcile => 7,
                    Column::Suspended => 5,
                    Column::Ready => 9,
                    _ => self.rows.iter().map(|row| row.cell(column, now).width()).max().unwrap_or(0),
                };
                title.max(widest).min(MAX_COLUMN_WIDTH) as u16
            })
            .collect()
    }

    /// Moves the selection by `delta` rows, clamped to the table.
    pub fn move_by(&mut self, delta: isize) {
        if self.rows.is_empty() {
            self.selected = 0;
            return;
        }
        let last = self.rows.len() - 1;
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    pub fn select(&mut self, index: usize) {
        self.selected = index.min(self.rows.len().saturating_sub(1));
    }

    /// Keeps the selected row inside a window of `height` rows, scrolling as little as possible.
    pub fn scroll_into_view(&mut self, height: usize) {
        if height == 0 {
            return;
        }
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        let max_offset = self.rows.len().saturating_sub(height);
        self.offset = self.offset.min(max_offset);
    }
}
