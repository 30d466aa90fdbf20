// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @dev Units every contract of Cascade shares. Ratios and rates are WAD fractions (1e18 = 100 %), fees and shares
/// basis points (10 000 = 100 %); interest is actual/365 on seconds.

/// @dev One, as a WAD fraction.
uint256 constant WAD = 1e18;

/// @dev One, in basis points.
uint256 constant BPS = 10_000;

/// @dev A year of interest and depreciation: 365 days, in seconds.
uint256 constant YEAR = 365 days;

/// @dev An hour, in seconds: GPU capacity is counted in GPU-hours.
uint256 constant HOUR = 1 hours;
