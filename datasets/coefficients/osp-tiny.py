# TeaCache rescaling polynomial for osp-tiny: modulated relative L1 -> estimated output relative L1.
# numpy.poly1d order (highest degree first), degree 1; fitted on modulated relative L1 in [0.014652073383331299, 0.07156888395547867]; outside it the polynomial extrapolates.
# teacache-toolkit 0.1.0, 2026-11-24T23:39:21.558Z. Use: rescale_func = np.poly1d(coefficients)
coefficients = [0.22885219884141153, 0.02424236699794481]
