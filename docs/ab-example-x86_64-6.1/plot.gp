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
set multiplot layout 5,1 title "latency, k-instr/fork (5 rounds)\n6.1.0-57-amd64, TCG-icount, 1 vCPU, QEMU TCG CPU version 2.5+, forklab 1b58b0a" noenhanced
$forest0 << EOD
3 1.00157 1.00051 1.0026 1 "passthrough"
2 0.980253 0.979123 0.981848 1 "perpte"
1 0.979173 0.97814 0.981621 1 "batched"
EOD
set title "latency order0: median k-instr/fork against stock (lower)" noenhanced
set xlabel "ratio to stock (log scale; lower is better)" noenhanced
set xrange [0.973033:1.02225]
set yrange [0.4:3.6]
set xtics (0.9, 0.92, 0.94, 0.96, 0.98, 1, 1.02, 1.04, 1.06, 1.08, 1.1)
plot $forest0 using 2:1:3:4:ytic(6) with xerrorbars pt 7 ps 0.9 lc rgb '#3060a0', \
     $forest0 using ($5 > 0 ? $2 : 1/0):1 with points pt 7 ps 1.1 lc rgb '#c03030', \
     $forest0 using 4:1:(sprintf('  %+.1f%%', ($2 - 1) * 100)) with labels left font ',9'
$forest1 << EOD
3 1.00041 0.999149 1.00161 0 "passthrough"
2 1.00977 1.00845 1.01087 1 "perpte"
1 0.63624 0.635206 0.637725 1 "batched"
EOD
set title "latency thp-pte: median k-instr/fork against stock (lower)" noenhanced
set xlabel "ratio to stock (log scale; lower is better)" noenhanced
set xrange [0.618142:1.1761]
set yrange [0.4:3.6]
set xtics (0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.2, 1.35, 1.5, 1.75, 2)
plot $forest1 using 2:1:3:4:ytic(6) with xerrorbars pt 7 ps 0.9 lc rgb '#3060a0', \
     $forest1 using ($5 > 0 ? $2 : 1/0):1 with points pt 7 ps 1.1 lc rgb '#c03030', \
     $forest1 using 4:1:(sprintf('  %+.1f%%', ($2 - 1) * 100)) with labels left font ',9'
$forest2 << EOD
3 1.02065 1.01084 1.0499 1 "passthrough"
2 1.01958 1.01005 1.0488 1 "perpte"
1 1.0244 1.01482 1.05376 1 "batched"
EOD
set title "latency thp-pmd: median k-instr/fork against stock (lower)" noenhanced
set xlabel "ratio to stock (log scale; lower is better)" noenhanced
set xrange [0.993404:1.08336]
set yrange [0.4:3.6]
set xtics (0.9, 0.92, 0.94, 0.96, 0.98, 1, 1.02, 1.04, 1.06, 1.08, 1.1)
plot $forest2 using 2:1:3:4:ytic(6) with xerrorbars pt 7 ps 0.9 lc rgb '#3060a0', \
     $forest2 using ($5 > 0 ? $2 : 1/0):1 with points pt 7 ps 1.1 lc rgb '#c03030', \
     $forest2 using 4:1:(sprintf('  %+.1f%%', ($2 - 1) * 100)) with labels left font ',9'
$forest3 << EOD
3 1.0326 1.02674 1.10287 1 "passthrough"
2 1.038 1.03069 1.04436 1 "perpte"
1 1.04155 1.03513 1.07791 1 "batched"
EOD
set title "latency shmem: median k-instr/fork against stock (lower)" noenhanced
set xlabel "ratio to stock (log scale; lower is better)" noenhanced
set xrange [0.991143:1.14946]
set yrange [0.4:3.6]
set xtics (0.9, 0.92, 0.94, 0.96, 0.98, 1, 1.02, 1.04, 1.06, 1.08, 1.1)
plot $forest3 using 2:1:3:4:ytic(6) with xerrorbars pt 7 ps 0.9 lc rgb '#3060a0', \
     $forest3 using ($5 > 0 ? $2 : 1/0):1 with points pt 7 ps 1.1 lc rgb '#c03030', \
     $forest3 using 4:1:(sprintf('  %+.1f%%', ($2 - 1) * 100)) with labels left font ',9'
$forest4 << EOD
3 1.00233 1.00092 1.00472 1 "passthrough"
2 0.952364 0.951187 0.953285 1 "perpte"
1 0.952629 0.951449 0.953483 1 "batched"
EOD
set title "latency file: median k-instr/fork against stock (lower)" noenhanced
set xlabel "ratio to stock (log scale; lower is better)" noenhanced
set xrange [0.944799:1.03369]
set yrange [0.4:3.6]
set xtics (0.9, 0.92, 0.94, 0.96, 0.98, 1, 1.02, 1.04, 1.06, 1.08, 1.1)
plot $forest4 using 2:1:3:4:ytic(6) with xerrorbars pt 7 ps 0.9 lc rgb '#3060a0', \
     $forest4 using ($5 > 0 ? $2 : 1/0):1 with points pt 7 ps 1.1 lc rgb '#c03030', \
     $forest4 using 4:1:(sprintf('  %+.1f%%', ($2 - 1) * 100)) with labels left font ',9'
unset multiplot
