# Bar chart of each runtime's time relative to native (log scale), from report.mjs's
# chart.dat. Called by run.sh with -e "datafile='...'; outfile='...'".
set terminal pngcairo size 1400,600 font ",10"
set output outfile
set title "Time relative to native (lower is better; log scale)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set yrange [0.1:*]
set grid ytics
set ylabel "× native"
set xtics rotate by -40 scale 0
set key top left
set datafile missing "?"
plot datafile using 2:xtic(1) title "node", '' using 3 title "weld", '' using 4 title "wasm-interp"
