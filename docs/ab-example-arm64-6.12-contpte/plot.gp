# forklab A/B: distributions per variant (box: quartiles, whiskers: min..max, thick: median, dots: samples).
# 'gnuplot plot.gp' in the result folder writes plot.svg.
set terminal svg size 700,380 dynamic font 'sans,11' background '#ffffff'
set output 'plot.svg'
set samples 1000
unset key
set grid ytics
set style fill solid 0.25 border
set boxwidth 0.5
set xtics rotate by -30 noenhanced
set ylabel 'us/fork (lower is better)' noenhanced
set yrange [0:*]
$sum0 << EOD
1 14042.8 13600.3 21677.1 19181.4 14998.2 "stock/kernel"
2 279456 238993 437631 367376 288799 "stock/unfold"
3 16069.3 13408.3 30785.5 19541.3 17446.6 "stock/block"
4 298395 209089 520504 471450 341853 "perpte/kernel"
5 427466 310857 667480 607860 549739 "perpte/unfold"
6 509630 234012 647254 614512 597708 "perpte/block"
7 12004.1 8962.7 26578.8 18431.7 15979.3 "batched/kernel"
8 348977 266972 471535 469034 460136 "batched/unfold"
9 12843.5 11105.7 40541.7 17245 13774.8 "batched/block"
EOD
$pts0 << EOD
1 13873.4
1 13600.3
1 21677.1
1 20358.6
1 14998.2
1 14212.2
1 18004.1
2 288799
2 380891
2 353861
2 437631
2 238993
2 281504
2 277407
3 21074.7
3 14748.7
3 17389.8
3 30785.5
3 17446.6
3 18008
3 13408.3
4 317183
4 483180
4 341853
4 279608
4 459720
4 520504
4 209089
5 550283
5 425709
5 549739
5 667480
5 665438
5 429223
5 310857
6 506147
6 513112
6 625993
6 603031
6 647254
6 597708
6 234012
7 16592
7 26578.8
7 20271.4
7 8962.7
7 10387.6
7 15979.3
7 13620.6
8 280002
8 467127
8 266972
8 417953
8 470942
8 471535
8 460136
9 13372.5
9 12314.5
9 18277.9
9 40541.7
9 11105.7
9 13774.8
9 16212.2
EOD
set multiplot layout 1,1 title 'latency on 6.12.95+deb12-arm64 (7 rounds)' noenhanced
set title 'latency' noenhanced
set xrange [0.3:9.7]
plot $sum0 using 1:2:3:4:5:xticlabels(7) with candlesticks whiskerbars lc rgb '#3060a0', \
     $sum0 using 1:6:6:6:6 with candlesticks lt -1 lw 3, \
     $pts0 using ($1 + (rand(0) - 0.5) * 0.25):2 with points pt 7 ps 0.4 lc rgb '#b03030'
unset multiplot
