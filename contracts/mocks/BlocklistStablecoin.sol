// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @notice Test-only stablecoin that behaves as USDC and USDT can: an admin blocklists accounts (a blocklisted
/// account can neither send nor receive, nor approve) and pauses every transfer. Anyone may mint (to an account that
/// is not blocklisted); anyone may blocklist or pause (tests play the issuer of the coin).
contract BlocklistStablecoin is ERC20Permit {
    uint8 private immutable DECIMALS;
    bool public paused;
    mapping(address account => bool) public isBlocklisted;

    error Blocklisted(address account);
    error CoinPaused();

    event BlocklistSet(address indexed account, bool blocked);
    event CoinPauseSet(bool paused);

    constructor(string memory name_, string memory symbol_, uint8 decimals_) ERC20(name_, symbol_) ERC20Permit(name_) {
        DECIMALS = decimals_;
    }

    function decimals() public view override returns (uint8) {
        return DECIMALS;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setBlocklisted(address account, bool blocked) external {
        isBlocklisted[account] = blocked;
        emit BlocklistSet(account, blocked);
    }

    function setPaused(bool paused_) external {
        paused = paused_;
        emit CoinPauseSet(paused_);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (paused) revert CoinPaused();
        if (isBlocklisted[from]) revert Blocklisted(from);
        if (isBlocklisted[to]) revert Blocklisted(to);
        if (isBlocklisted[msg.sender]) revert Blocklisted(msg.sender);
        super._update(from, to, value);
    }

    function _approve(address owner, address spender, uint256 value, bool emitEvent) internal override {
        if (isBlocklisted[owner]) revert Blocklisted(owner);
        if (isBlocklisted[spender]) revert Blocklisted(spender);
        super._approve(owner, spender, value, emitEvent);
    }
}
