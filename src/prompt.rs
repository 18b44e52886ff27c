//! Prompts (dialoguer), drawn on stderr. Every prompt names the flag that answers it, so that a
//! prompt that cannot be shown (no terminal, closed input) fails with that flag as the hint
//! instead of hanging.

use anyhow::Result;
use dialoguer::theme::{ColorfulTheme, SimpleTheme, Theme};
use dialoguer::{Confirm, FuzzySelect, Input, MultiSelect, Password, Select};

/// Asks questions on the terminal.
pub struct Prompter {
    theme: Box<dyn Theme>,
}

fn failed(flag: &str, err: dialoguer::Error) -> anyhow::Error {
    // Every prompt's flag answers it (`--yes` for init's and uninstall's confirmations).
    crate::problem::problem(
        format!("cannot ask on this terminal ({err})"),
        crate::problem::Fix::instruction(format!("answer with `{flag}` instead")),
    )
}

impl Prompter {
    pub fn new(color: bool) -> Self {
        let theme: Box<dyn Theme> = if color {
            Box::new(ColorfulTheme::default())
        } else {
            Box::new(SimpleTheme)
        };
        Self { theme }
    }

    /// Hidden input.
    pub fn secret(&self, prompt: &str, flag: &str) -> Result<String> {
        Password::with_theme(&*self.theme)
            .with_prompt(prompt)
            .allow_empty_password(false)
            .interact()
            .map_err(|e| failed(flag, e))
    }

    pub fn confirm(&self, prompt: &str, default: bool, flag: &str) -> Result<bool> {
        Confirm::with_theme(&*self.theme)
            .with_prompt(prompt)
            .default(default)
            .interact()
            .map_err(|e| failed(flag, e))
    }

    pub fn select(
        &self,
        prompt: &str,
        items: &[String],
        default: usize,
        flag: &str,
    ) -> Result<usize> {
        Select::with_theme(&*self.theme)
            .with_prompt(prompt)
            .items(items)
            .default(default)
            .interact()
            .map_err(|e| failed(flag, e))
    }

    /// A list filtered as the user types.
    pub fn fuzzy_select(
        &self,
        prompt: &str,
        items: &[String],
        default: usize,
        flag: &str,
    ) -> Result<usize> {
        FuzzySelect::with_theme(&*self.theme)
            .with_prompt(prompt)
            .items(items)
            .default(default)
            .max_length(12)
            .interact()
            .map_err(|e| failed(flag, e))
    }

    pub fn multi_select(
        &self,
        prompt: &str,
        items: &[String],
        checked: &[bool],
        flag: &str,
    ) -> Result<Vec<usize>> {
        MultiSelect::with_theme(&*self.theme)
            .with_prompt(prompt)
            .items(items)
            .defaults(checked)
            .interact()
            .map_err(|e| failed(flag, e))
    }

    pub fn input(&self, prompt: &str, initial: &str, flag: &str) -> Result<String> {
        Input::<String>::with_theme(&*self.theme)
            .with_prompt(prompt)
            .with_initial_text(initial)
            .interact_text()
            .map_err(|e| failed(flag, e))
    }
}
