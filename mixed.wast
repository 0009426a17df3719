(assert_return""")
s=s.replace('out_has "mixed: 5 passed, 0 failed, 0 skipped"','out_has "mixed: 6 passed, 0 failed, 0 skipped"')
s=s.replace("run 0 run --tier optimized --tier-stats --invoke opt mixed.wast 10","run 0 run --tier optimized --tier-stats --invoke opt mixed.wat 10")
open(p,'w').write(s)
