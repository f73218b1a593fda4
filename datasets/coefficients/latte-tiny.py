# TeaCache rescaling polynomial for latte-tiny: modulated relative L1 -> estimated output relative L1.
# numpy.poly1d order (highest degree first), degree 1; fitted on modulated relative L1 in [0.0066964696161448956, 0.0647791251540184]; outside it the polynomial extrapolates.
# teacache-toolkit 0.1.0, 2026-11-24T23:29:59.041Z. Use: rescale_func = np.poly1d(coefficients)
coefficients = [0.567044792984592, 0.0036034387529801162]
