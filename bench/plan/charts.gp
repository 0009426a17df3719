# Charts of bench/plan.sh: per instance, the exact solver's and the greedy baseline's solve
# time (s, log scale) and greedy's gap over the optimum (%). Called by plan.sh with
# -e "datafile='...'; outfile='...'; term='png'|'svg'".
if (term eq 'svg') set terminal svg size 1300,520 dynamic font "sans,10"; else set terminal pngcairo size 1300,520 font ",10"
set output outfile
set termoption noenhanced
set datafile missing "?"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set grid ytics
set xtics rotate by -30 scale 0
set key top left
set multiplot layout 1,2 title "weld plan on random applications (bench/plan.sh)"
set title "solve time (s, log scale)"
set logscale y
plot datafile using 2:xtic(1) title "exact", '' using 3 title "greedy"
unset logscale y
set title "greedy's gap over the optimum (%)"
set yrange [0:*]
set offsets 0, 0, graph 0.1, 0
plot datafile using 4:xtic(1) notitle lc 3
unset multiplot
