
# Added by mg-codex: model ids for `mg-codex model <Tab>`, which `mg-codex __complete-models`
# reads from the catalogue mg-codex wrote ($CODEX_HOME/modelgates-models.json), never from the
# network. Everything else is clap's completer above.
var mg-codex-clap-completer = $edit:completion:arg-completer[mg-codex]
set edit:completion:arg-completer[mg-codex] = {|@words|
    var ids = [(try { mg-codex __complete-models -- $@words 2>/dev/null } catch { })]
    if (> (count $ids) 0) {
        for entry $ids {
            var parts = [(str:split "\t" $entry)]
            if (> (count $parts) 1) {
                edit:complex-candidate $parts[0] &display=$parts[0]'  '$parts[1]
            } else {
                edit:complex-candidate $parts[0]
            }
        }
    } else {
        $mg-codex-clap-completer $@words
    }
}
