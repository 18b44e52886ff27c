
# Added by mg-codex: model ids for `mg-codex model <TAB>`, which `mg-codex __complete-models`
# reads from the catalogue mg-codex wrote ($CODEX_HOME/modelgates-models.json), never from the
# network.
complete -c mg-codex -n "__fish_mg_codex_using_subcommand model" -f -a "(command mg-codex __complete-models -- (commandline -opc) (commandline -ct) 2>/dev/null)"
