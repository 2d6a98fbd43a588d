# busybox sh (ash): pipelines, redirections, subshells, command substitution, here-documents, functions,
# control flow, arithmetic, parameter expansion, exit statuses.
mkdir -p /tmp/shell && cd /tmp/shell || exit 1
echo "-- pipelines"
echo one two three | tr ' ' '\n' | sort -r | head -n 2
printf 'a\nb\nc\n' | wc -l
false | true; echo "status of false|true: $?"
true | false; echo "status of true|false: $?"
! false; echo "negated: $?"
echo "-- redirections"
echo first > out.txt
echo second >> out.txt
cat < out.txt
echo to-stderr 1>&2 2>/dev/null
ls /no/such/file > err.txt 2>&1; echo "ls status $?"
cat err.txt
{ echo grouped; echo lines; } > group.txt; cat group.txt
exec 3> fd3.txt; echo via-fd3 >&3; exec 3>&-; cat fd3.txt
exec 4< out.txt; read line <&4; echo "read from fd4: $line"; exec 4<&-
cat <<EOF
here-document with $((1 + 2)) and $(echo substitution)
EOF
cat <<'EOF'
quoted here-document: $HOME $(not run)
EOF
: > empty.txt; wc -c < empty.txt
echo "-- subshells"
x=outer; (x=inner; echo "in subshell: $x"); echo "after subshell: $x"
(cd /; pwd); pwd
(exit 7); echo "subshell exit: $?"
echo "-- command substitution"
n=$(echo a b c | wc -w); echo "words: $n"
echo "nested: $(echo $(echo deep))"
echo "backquotes: `echo old style`"
files=$(ls); echo "files: $files" | tr '\n' ' '; echo
echo "-- functions and control flow"
greet() { local who=$1; echo "hello, $who"; return 3; }
greet world; echo "function status: $?"
for i in 1 2 3; do printf '%s ' "$i"; done; echo
i=0; while [ $i -lt 5 ]; do i=$((i + 1)); [ $i -eq 2 ] && continue; [ $i -eq 4 ] && break; echo "while $i"; done
until [ $i -le 0 ]; do i=$((i - 2)); done; echo "until ended at $i"
for word in apple banana cherry; do
  case $word in
    a*) echo "$word starts with a" ;;
    *an*) echo "$word has an" ;;
    *) echo "$word is other" ;;
  esac
done
if [ -d /tmp ] && [ ! -f /tmp ]; then echo "if: /tmp is a directory"; elif true; then echo no; else echo no; fi
echo "-- arithmetic and parameters"
echo $(( 7 * 6 )) $(( 17 % 5 )) $(( (2 + 3) << 2 )) $(( 10 > 3 )) $(( 0x10 + 010 ))
v=hello.tar.gz
echo "${v%.gz} ${v%%.*} ${v#*.} ${v##*.} ${#v} ${unset:-default} ${v:+set}"
set -- alpha beta "gamma delta"; echo "$# args: $1 | $3"; shift; echo "after shift: $*"
for a in "$@"; do echo "[$a]"; done
IFS=: read -r p q r <<EOF
one:two:three
EOF
echo "$r $q $p"
echo "-- exit statuses"
sh -c 'exit 42'; echo "sh -c exit: $?"
sh -c 'kill -TERM $$'; echo "killed by TERM: $?"
/no/such/command 2>/dev/null; echo "not found: $?"
(set -e; false; echo "not reached"); echo "set -e subshell: $?"
