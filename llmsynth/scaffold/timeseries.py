"""ARMA time series (statsmodels ArmaProcess) with optional trend, seasonality, series ids and
timestamps. Whole-table: each step depends on the previous ones, so chunks cannot be drawn apart."""

from __future__ import annotations

import numpy as np
import pandas as pd
from typing_extensions import override

from llmsynth.errors import GenerationError
from llmsynth.scaffold.base import Sampler
from llmsynth.scaffold.promises import ArmaPromise, Promise
from llmsynth.spec.kinds.timeseries import ArmaSpec


class ArmaSampler(Sampler[ArmaSpec]):
    """ARMA series through statsmodels (the whole table at once: each row depends on the rows before)."""
    per_chunk = False

    @override
    def fixed_rows(self) -> int | None:
        return self.spec.series * self.spec.length if self.spec.length else None

    def lengths(self, n: int) -> list[int]:
        """The length of each series for a table of ``n`` rows."""
        series = self.spec.series
        if self.spec.length is not None:
            if n != series * self.spec.length:
                raise GenerationError(
                    f"column '{self.spec.name}': asked for {n} rows but {series} series of"
                    f" length {self.spec.length} give {series * self.spec.length}"
                )
            return [self.spec.length] * series
        return [n // series + (1 if i < n % series else 0) for i in range(series)]

    @override
    def sample(self, n: int, rng: np.random.Generator, context: pd.DataFrame | None) -> pd.DataFrame:
        from statsmodels.tsa.arima_process import ArmaProcess

        spec = self.spec
        process = ArmaProcess(np.r_[1.0, -np.asarray(spec.ar, dtype=float)], np.r_[1.0, np.asarray(spec.ma)])
        burnin = spec.burnin if process.isstationary else 0  # an explosive series would only blow up
        parts = []
        for index, length in enumerate(self.lengths(n)):
            noise = process.generate_sample(length, scale=spec.sd, distrvs=rng.standard_normal, burnin=burnin)
            t = np.arange(length)
            values = spec.mean + spec.trend * t + noise
            if spec.seasonality is not None:
                values = values + spec.seasonality.amplitude * np.sin(2 * np.pi * t / spec.seasonality.period)
            part = {spec.name: values}
            if spec.series_column:
                part[spec.series_column] = np.full(length, index, dtype=np.int64)
            if spec.time_column:
                part[spec.time_column] = pd.date_range(spec.start, periods=length, freq=spec.freq).to_numpy()
            parts.append(pd.DataFrame(part))
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({spec.name: np.zeros(0)})
        return frame.reindex(columns=spec.output_names())

    @override
    def promises(self) -> list[Promise]:
        spec = self.spec
        season = spec.seasonality
        return [
            ArmaPromise(
                spec.name,
                tuple(spec.ar),
                tuple(spec.ma),
                group_column=spec.series_column,
                mean=spec.mean,
                trend=spec.trend,
                season_period=season.period if season else None,
                season_amplitude=season.amplitude if season else 0.0,
                sd=spec.sd,
            )
        ]
