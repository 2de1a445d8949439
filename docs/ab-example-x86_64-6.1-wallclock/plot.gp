# forklab A/B: the median of each variant against its baseline, 95% interval (red:
# significant after Holm's correction).  'gnuplot plot.gp' in the result folder writes plot.svg.
set terminal svg size 900,1030 dynamic font 'sans,11' background '#ffffff'
set output 'plot.svg'
unset key
set grid xtics mxtics
set logscale x 10
set format x '%gx'
set ytics noenhanced
set border 3
set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead dt 2 lc rgb '#606060'
set multiplot layout 5,1 title "latency, ms/fork (7 rounds)\n6.1.0-57-amd64, TCG, 2 vCPUs, QEMU TCG CPU version 2.5+, forklab e1d0fac" noenhanced
$forest0 << EOD
3 0.989431 0.694313 1.361 0 "passthrough"
2 0.713665 0.515534 0.98304 0 "perpte"
1 0.731173 0.553459 1.05348 0 "batched"
EOD
set title "latency order0: median ms/fork against stock (lower)" noenhanced
set xlabel "ratio to stock (log scale; lower is better)" noenhanced
set xrange [0.489148:1.8431]
set yrange [0.4:3.6]
set xtics (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200)
plot $forest0 using 2:1:3:4:ytic(6) with xerrorbars pt 7 ps 0.9 lc rgb '#3060a0', \
     $forest0 using 4:1:(sprintf('  %+.1f%%', ($2 - 1) * 100)) with labels left font ',9'
$forest1 << EOD
3 0.95314 0.738205 1.63482 0 "passthrough"
2 0.705645 0.599123 1.29651 0 "perpte"
1 0.558632 0.346342 0.96284 0 "batched"
EOD
set title "latency thp-pte: median ms/fork against stock (lower)" noenhanced
set xlabel "ratio to stock (log scale; lower is better)" noenhanced
set xrange [0.319205:2.63555]
set yrange [0.4:3.6]
set xtics (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200)
plot $forest1 using 2:1:3:4:ytic(6) with xerrorbars pt 7 ps 0.9 lc rgb '#3060a0', \
     $forest1 using 4:1:(sprintf('  %+.1f%%', ($2 - 1) * 100)) with labels left font ',9'
$forest2 << EOD
3 1.30793 0.657031 2.05168 0 "passthrough"
2 1.03355 0.68438 1.45841 0 "perpte"
1 1.04399 0.619613 1.62614 0 "batched"
EOD
set title "latency thp-pmd: median ms/fork against stock (lower)" noenhanced
set xlabel "ratio to stock (log scale; lower is better)" noenhanced
set xrange [0.581279:2.97384]
set yrange [0.4:3.6]
set xtics (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200)
plot $forest2 using 2:1:3:4:ytic(6) with xerrorbars pt 7 ps 0.9 lc rgb '#3060a0', \
     $forest2 using 4:1:(sprintf('  %+.1f%%', ($2 - 1) * 100)) with labels left font ',9'
$forest3 << EOD
3 1.29463 0.575935 2.05082 0 "passthrough"
2 1.16129 0.418985 1.86327 0 "perpte"
1 1.50628 0.615397 2.50744 0 "batched"
EOD
set title "latency shmem: median ms/fork against stock (lower)" noenhanced
set xlabel "ratio to stock (log scale; lower is better)" noenhanced
set xrange [0.381601:4.34063]
set yrange [0.4:3.6]
set xtics (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200)
plot $forest3 using 2:1:3:4:ytic(6) with xerrorbars pt 7 ps 0.9 lc rgb '#3060a0', \
     $forest3 using 4:1:(sprintf('  %+.1f%%', ($2 - 1) * 100)) with labels left font ',9'
$forest4 << EOD
3 0.998844 0.685594 1.48878 0 "passthrough"
2 0.862314 0.592842 1.10574 0 "perpte"
1 1.0658 0.573385 1.34295 0 "batched"
EOD
set title "latency file: median ms/fork against stock (lower)" noenhanced
set xlabel "ratio to stock (log scale; lower is better)" noenhanced
set xrange [0.54449:2.00612]
set yrange [0.4:3.6]
set xtics (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200)
plot $forest4 using 2:1:3:4:ytic(6) with xerrorbars pt 7 ps 0.9 lc rgb '#3060a0', \
     $forest4 using 4:1:(sprintf('  %+.1f%%', ($2 - 1) * 100)) with labels left font ',9'
unset multiplot
