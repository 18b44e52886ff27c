# Added by mg-codex: model ids for `mg-codex model <TAB>`, which `mg-codex __complete-models`
# reads from the catalogue mg-codex wrote ($CODEX_HOME/modelgates-models.json), never from the
# network. `words` holds only the subcommand's words here, so the line is read from LBUFFER.
(( $+functions[_mg-codex_model_ids] )) ||
_mg-codex_model_ids() {
    local -a line_words found specs
    local entry id desc
    line_words=(${(z)LBUFFER})
    if [[ -z $LBUFFER || $LBUFFER == *[[:space:]] ]]; then
        line_words+=("")
    fi
    found=(${(f)"$(command mg-codex __complete-models -- "${line_words[@]}" 2>/dev/null)"})
    for entry in $found; do
        id=${entry%%$'\t'*}
        desc=${entry#*$'\t'}
        [[ $desc == $entry ]] && desc=""
        specs+=("${id//:/\\:}${desc:+:$desc}")
    done
    _describe -t model-ids 'model id' specs
}

