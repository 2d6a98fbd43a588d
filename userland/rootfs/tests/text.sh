# Text tools: echo, printf, grep, sed, awk, sort, uniq, wc, head, tail, tr, cut, tee, diff, cmp, xargs.
rm -rf /tmp/text; mkdir /tmp/text && cd /tmp/text || exit 1
cat > fruit <<'EOF'
apple 3 red
banana 12 yellow
cherry 7 red
date 1 brown
elderberry 25 purple
fig 7 purple
apple 3 red
EOF
echo "-- echo, printf"
echo plain; echo -n "no newline"; echo; echo -e 'tab\there\nnewline\\'; echo -E 'raw\t'
printf '%s|%5s|%-5s|%d|%05d|%x|%o|%c|%%\n' word right left 42 42 255 8 xyz
printf '%.2f %e %g\n' 3.14159 12345.678 0.0001
printf '%s\n' one two three
printf 'escape: \101\x42\n'
printf '%b\n' 'b\tescapes'
echo "-- grep"
grep red fruit; grep -c purple fruit; grep -v r fruit; grep -n '^[a-c]' fruit
grep -i APPLE fruit | head -n 1; grep -w 7 fruit; grep -E 'ba(na)+' fruit; grep -o '[0-9][0-9]' fruit
grep -l red fruit /dev/null; grep -q nothing fruit; echo "grep -q status: $?"
grep -e fig -e date fruit; grep -F 'a.p' fruit; echo "grep -F status: $?"
grep -r red . | sort; grep -A1 cherry fruit; grep -B1 date fruit; grep -x 'fig 7 purple' fruit
grep -h red fruit fruit | wc -l; grep -s red missing; echo "grep missing: $?"
echo "-- sed"
sed 's/red/RED/' fruit | head -n 3; sed -n '2,4p' fruit; sed '3d' fruit | wc -l; sed -n '/cherry/,/elder/p' fruit
sed -e 's/ .*//' -e 'y/abc/ABC/' fruit; sed 's/\([a-z]*\) \([0-9]*\)/\2 \1/' fruit | head -n 2
sed -n '$p' fruit; sed '1i\
first line' fruit | head -n 2; sed '$a\
last line' fruit | tail -n 1; sed -E 's/(a+)/<\1>/g' fruit | head -n 2
cp fruit edit; sed -i 's/apple/APPLE/g' edit; grep -c APPLE edit; sed = fruit | head -n 4; sed -n 'l' fruit | head -n 1
echo "-- awk"
awk '{ print $1 }' fruit | head -n 3; awk '$2 > 5 { print $1, $2 * 2 }' fruit
awk '{ sum += $2 } END { print "sum", sum, "avg", sum / NR }' fruit
awk -F' ' '{ count[$3]++ } END { for (c in count) print c, count[c] }' fruit | sort
awk 'BEGIN { printf "%5.1f|%-4s|%d\n", 2.25, "ab", 7.9; print length("hello"), substr("hello", 2, 3), index("hello", "l"), toupper("x") }'
awk 'BEGIN { n = split("a:b:c", parts, ":"); print n, parts[3]; s = "foo bar foo"; gsub(/foo/, "baz", s); print s; print match("xxabc", /ab/), RSTART, RLENGTH }'
awk -v name=value 'BEGIN { print name }'; awk 'NR % 2 == 0' fruit; awk 'END { print NR, $0 }' fruit
awk '/purple/ { print NR ": " $0 }' fruit; echo "a,b,c" | awk -F, '{ $2 = "B"; print; print NF }' OFS=-
awk 'BEGIN { while ((getline line < "fruit") > 0) n++; print "lines", n; print int(-3.7), 7 % 3; exit 3 }'; echo "awk exit: $?"
echo "-- sort, uniq"
sort fruit; sort -r fruit | head -n 2; sort -k2,2n fruit | head -n 3; sort -k2 -n -r fruit | head -n 2; sort -u fruit | wc -l
sort -t' ' -k3,3 -k1,1 fruit | head -n 3; printf '10\n9\n100\n' | sort; printf '10\n9\n100\n' | sort -n; printf 'b\nA\na\nB\n' | sort -f
sort -c fruit 2>/dev/null; echo "sort -c: $?"; sort fruit | uniq; sort fruit | uniq -c; sort fruit | uniq -d; sort fruit | uniq -u | head -n 2
cut -d' ' -f3 fruit | sort | uniq -c | sort -rn | head -n 2
echo "-- wc, head, tail"
wc fruit; wc -l fruit; wc -w < fruit; wc -c fruit; wc -L fruit; wc fruit fruit | tail -n 1
head -n 2 fruit; head -c 10 fruit; echo; head -n -5 fruit; tail -n 2 fruit; tail -n +6 fruit; tail -c 7 fruit
seq 1 100 > numbers; head -n 3 numbers numbers; tail -1 numbers
echo "-- tr, cut"
echo "Hello World" | tr a-z A-Z; echo "hello" | tr -d l; echo "aaabbbccc" | tr -s ab; echo "a1b2c3" | tr -cd 0-9; echo
echo "hello" | tr 'a-y' 'b-z'; echo "a:b:c" | tr : '\n' | wc -l; echo "ABC" | tr '[:upper:]' '[:lower:]'
cut -c1-3 fruit | head -n 3; cut -d' ' -f1,3 fruit | tail -n 2; echo "a:b:c:d" | cut -d: -f2-; echo "a:b:c" | cut -d: -f1 --complement 2>/dev/null || echo "a:b:c" | cut -d: -f2-
cut -s -d, -f1 fruit; echo "cut -s printed nothing"
echo "-- tee"
echo "tee line" | tee tee1 tee2 | tr a-z A-Z; cat tee1 tee2; echo more | tee -a tee1 > /dev/null; cat tee1
echo "-- diff, cmp"
printf 'a\nb\nc\nd\n' > v1; printf 'a\nB\nc\nd\ne\n' > v2
diff v1 v2 | sed "s/\t.*//"; echo "diff status: $?"; diff -u v1 v2 | tail -n +3; diff v1 v1; echo "same: $?"
diff -q v1 v2; echo "diff -q: $?"; mkdir d1 d2; cp v1 d1/f; cp v2 d2/f; cp v1 d1/only; diff -r d1 d2 | sed 's/^--- .*/---/;s/^+++ .*/+++/'
cmp v1 v2; echo "cmp: $?"; cmp -s v1 v1; echo "cmp -s same: $?"; cmp -l v1 v2 2>&1; printf 'a\n' > short; cmp v1 short 2>&1; echo "cmp short: $?"
echo "-- xargs"
seq 1 10 | xargs; seq 1 10 | xargs -n 3; seq 1 5 | xargs -I{} echo "item {}"; echo "a b c" | xargs -n1 echo got
printf 'x y\0z\0' | xargs -0 -n1 echo; seq 1 3 | xargs -t echo 2>&1; echo "" | xargs echo empty; echo "" | xargs -r echo never
seq 1 4 | xargs sh -c 'echo "$# args"' sh; echo one | xargs false; echo "xargs false: $?"
