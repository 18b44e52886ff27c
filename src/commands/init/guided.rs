//! The guided `init`: one question at a time on the terminal, each offering what
//! [`Defaults`] resolved (Enter keeps it): the key (its shape checked before it is sent, then
//! `GET /key`), the model (the searchable picker), the effort, trust, shells, the docs MCP
//! server.

use super::*;

/// Before asking for a key: where keys are made, and (with `--web`, or when the user says so)
/// the page opened in the browser, as `gh auth login --web` does.
pub(super) fn offer_keys_page(web: bool, p: &Prompter, env: &Env, printer: &Printer) -> Result<()> {
    let page = secret::KEYS_PAGE;
    printer.message(&format!("Create a key on the ModelGates keys page: {page}"));
    let open = web || p.confirm("Open it in your browser?", false, "--web")?;
    if open {
        match crate::browser::open(page, env) {
            Ok(how) => printer.message(&format!("Opened {page} ({how})")),
            Err(e) => printer.warn(&format!(
                "could not open a browser ({e}): open {page} yourself"
            )),
        }
    }
    Ok(())
}

pub(super) fn interactive_answers(
    args: &InitArgs,
    shell_flag: Option<ShellSelection>,
    env: &Env,
    current: &Current,
    key_source: KeySource,
    printer: &Printer,
) -> Result<Answers> {
    let p = Prompter::new(printer.color_err());
    printer.message(&format!(
        "Setting up Codex to use ModelGates in `{}`",
        current.config.display()
    ));
    if current.doc.provider_str(PROVIDER_ID, "name").is_some() {
        printer.message(
            "ModelGates is already configured there: press Enter to keep each current answer",
        );
    }
    let defaults = Defaults::resolve(args, current);
    let base_url = defaults.base_url;

    let (key, c) = ask_key(args, env, current, &base_url, &p, printer)?;

    // 3. The model: the catalogue (tool-capable first), or a typed id.
    let default_model = defaults.model;
    let fetched = if args.no_verify {
        Err(Unfetched::NotAsked)
    } else {
        let _s = printer.spinner("Fetching the model catalogue");
        crate::commands::runtime()?
            .block_on(c.models())
            .map_err(|e| Unfetched::Failed(e.to_string()))
    };
    let catalogue = fetched.clone().unwrap_or_default();
    let model =
        crate::commands::choose_model(&p, &catalogue, &default_model, &current.me, printer)?;

    // 4. Reasoning effort.
    let default_effort = defaults.effort;
    let efforts: Vec<String> = EFFORTS.iter().map(|e| e.to_string()).collect();
    let i = p.select(
        "Reasoning effort",
        &efforts,
        EFFORTS
            .iter()
            .position(|e| *e == default_effort)
            .unwrap_or(4),
        "--reasoning-effort",
    )?;
    let effort = efforts[i].clone();

    let trust = ask_trust(args, env, current, &p)?;

    let shells = ask_shells(shell_flag, current, &p)?;

    // 7. The docs MCP server: asked only when there is no entry of that name (one that is there
    // stays as it is either way); `--docs-mcp` answers yes.
    let docs_mcp = args.docs_mcp
        || (current.doc.mcp_server(DOCS_MCP_NAME).is_none()
            && p.confirm(
                "Add the ModelGates docs MCP server to Codex? (writes [mcp_servers.modelgates-docs])",
                false,
                "--docs-mcp",
            )?);

    let mut answers =
        Answers::new(args, key, base_url, model, effort, trust, shells).with(key_source, fetched);
    answers.settings.docs_mcp = docs_mcp;
    Ok(answers)
}

/// Steps 1-2: the key, checked until the API accepts it (or the user goes on unverified). Its shape
/// is checked here first: a malformed key is never sent.
fn ask_key(
    args: &InitArgs,
    env: &Env,
    current: &Current,
    base_url: &str,
    p: &Prompter,
    printer: &Printer,
) -> Result<(ApiKey, Client)> {
    let mut offered = current.key.clone();
    let mut asked = false;
    loop {
        let key = match offered.take() {
            Some((raw, from)) => match ApiKey::parse(&raw) {
                Ok(k) if k.shape_problem().is_some() => {
                    printer.warn(&format!(
                        "the value in {from} is not a ModelGates key ({}), so it is not offered",
                        k.shape_problem().unwrap_or_default()
                    ));
                    continue;
                }
                Ok(k)
                    if p.confirm(
                        &format!("Use the key from {from} ({})?", k.masked()),
                        true,
                        "--yes",
                    )? =>
                {
                    k
                }
                _ => continue,
            },
            None => {
                if !asked {
                    asked = true;
                    offer_keys_page(args.web, p, env, printer)?;
                }
                let raw = p.secret(
                    &format!("ModelGates API key (sk-mg-…, from {})", secret::KEYS_PAGE),
                    "--api-key-stdin",
                )?;
                match ApiKey::parse(raw.trim()) {
                    Ok(k) => match k.shape_problem() {
                        Some(why) => {
                            printer.warn(&format!(
                                "that is not a ModelGates key ({why}), so it was not sent: copy one from {}",
                                secret::KEYS_PAGE
                            ));
                            continue;
                        }
                        None => k,
                    },
                    Err(e) => {
                        printer.warn(&format!("{e}: it was not sent"));
                        continue;
                    }
                }
            }
        };
        let c = client(base_url, &key, args, env)?;
        if args.no_verify {
            return Ok((key, c));
        }
        let status = {
            let _s = printer.spinner("Checking the key");
            crate::commands::runtime()?.block_on(c.key_status())
        };
        match status {
            Ok(info) if info.is_management_key == Some(true) => {
                printer
                    .warn("this is a management key: it cannot run models; paste an inference key");
            }
            Ok(_) => {
                crate::commands::say_key_accepted(&key.masked(), printer);
                return Ok((key, c));
            }
            Err(e @ ApiError::KeyRejected { .. }) => {
                printer.warn(&format!("{e}; paste another (from {})", secret::KEYS_PAGE));
            }
            Err(e) => {
                printer.warn(&format!("could not verify the key: {e}"));
                if p.confirm("Continue without verifying?", false, "--no-verify")? {
                    return Ok((key, c));
                }
            }
        }
    }
}

/// Step 5: trust the current directory: asked (default yes in a git repository) unless it is trusted
/// already, or is the home directory or `/` (never a nudge to trust everything below them).
fn ask_trust(
    args: &InitArgs,
    env: &Env,
    current: &Current,
    p: &Prompter,
) -> Result<Vec<(String, TrustLevel)>> {
    let mut trust = trust_list(&args.trust, env)?;
    if let Ok(target) = project::trust_target(&env.cwd, false) {
        let in_git = !matches!(target.source, project::KeySource::NotGit);
        let already = current.doc.trust_level(&target.key).is_some();
        // Never a nudge to trust the home directory or `/`.
        let home = env
            .home
            .as_deref()
            .map(|h| project::canonical(h).unwrap_or_else(|_| h.to_path_buf()));
        let broad = std::path::Path::new(&target.key).parent().is_none()
            || home.as_deref() == Some(std::path::Path::new(&target.key));
        if !already
            && !broad
            && p.confirm(
                &format!(
                    "Trust this project for Codex? (writes [projects.\"{}\"])",
                    target.key
                ),
                in_git,
                "--trust",
            )?
        {
            trust.push((target.key, TrustLevel::Trusted));
        }
    }
    Ok(trust)
}

/// Step 6: the shells that get the key: the flag, else a multi-select of the installed ones, ticked
/// as they were set up before (a re-run keeps the choice) or, the first time, as detected.
fn ask_shells(
    shell_flag: Option<ShellSelection>,
    current: &Current,
    p: &Prompter,
) -> Result<ShellSelection> {
    Ok(match shell_flag {
        Some(selection) => selection,
        None => {
            let offered: Vec<Shell> = Shell::ALL
                .into_iter()
                .filter(|s| current.shell_env.has(*s))
                .collect();
            if offered.is_empty() {
                ShellSelection::None
            } else {
                let names: Vec<String> = offered.iter().map(|s| s.to_string()).collect();
                // A re-run keeps the earlier choice: the shells whose profile has the block.
                let with_block: Vec<Shell> = shell::status(&current.shell_env, None)
                    .map(|st| {
                        st.shells
                            .iter()
                            .filter(|s| s.has_block())
                            .map(|s| s.shell)
                            .collect()
                    })
                    .unwrap_or_default();
                let checked: Vec<bool> = offered
                    .iter()
                    .map(|s| {
                        if with_block.is_empty() {
                            current.shell_env.detects(*s)
                        } else {
                            with_block.contains(s)
                        }
                    })
                    .collect();
                let picked = p.multi_select(
                    "Shells that get MODELGATES_API_KEY (space to toggle)",
                    &names,
                    &checked,
                    "--shell",
                )?;
                if picked.is_empty() {
                    ShellSelection::None
                } else {
                    ShellSelection::Only(picked.into_iter().map(|i| offered[i]).collect())
                }
            }
        }
    })
}
