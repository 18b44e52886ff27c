
# Added by mg-codex: model ids for `mg-codex model <TAB>`, which `mg-codex __complete-models`
# reads from the catalogue mg-codex wrote ($CODEX_HOME/modelgates-models.json), never from the
# network. Everything else is clap's completion above.
_mg_codex_with_model_ids() {
    local line="${COMP_LINE:0:COMP_POINT}"
    if [[ " $line" == *" model "* ]]; then
        local words ids id
        read -r -a words <<< "$line"
        if [[ -z $line || $line == *[[:space:]] ]]; then
            words+=("")
        fi
        ids=$(command mg-codex __complete-models -- "${words[@]}" 2>/dev/null)
        if [[ -n $ids ]]; then
            COMPREPLY=()
            while IFS= read -r id; do
                COMPREPLY+=("${id%%$'\t'*}")
            done <<< "$ids"
            # bash splits words at `:` (COMP_WORDBREAKS): offer only what follows the last one.
            local cur="${words[${#words[@]}-1]}"
            if [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]]; then
                local colon="${cur%"${cur##*:}"}"
                COMPREPLY=("${COMPREPLY[@]#"$colon"}")
            fi
            return 0
        fi
    fi
    _mg__codex "$@"
}
