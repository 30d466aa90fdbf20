// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

/// @title IInvestorRegistry
/// @notice The investors of an issuer, shared by its deals: per identity (a person or an entity) a KYC expiry, a
/// country (ISO 3166-1 numeric), investor class flags and a frozen flag; per wallet the identity it belongs to and a
/// wallet-level frozen flag. One identity holds up to {MAX_WALLETS} wallets, so tokens can count holders as people,
/// not addresses, and a lost wallet can be recovered to a new one.
///
/// Everything a transfer check needs sits in one packed word per wallet ({InvestorRecord}): a token reads both
/// sides of a transfer with one call to {transferRecords} (two storage reads) and checks them with the pure
/// `TransferRules` library. Identity attributes are copied into every wallet of the identity; updates rewrite all of
/// them (at most {MAX_WALLETS} slots), so reads never follow a pointer.
///
/// Managed by the holders of {COMPLIANCE_AGENT_ROLE}; the admin (`DEFAULT_ADMIN_ROLE`) grants and revokes it. Every
/// change emits an event from which the whole registry can be rebuilt: {InvestorRegistered} starts an identity with
/// its first wallet, {WalletAdded}/{WalletRemoved}/{WalletRecovered} change its wallets, {InvestorUpdated} replaces
/// its attributes, {IdentityFrozen}/{WalletFrozen} set the flags.
///
/// @dev Warning: the registry knows nothing of balances. Before removing or recovering a wallet that holds tranche
/// tokens, the agent has the tokens force-transfer its balance and accrued coupons (recovery: to the new wallet), or
/// the tokens' holder counts and coupon accounting go stale for that wallet. KYC expiry is in seconds (unix time);
/// a KYC is valid while `block.timestamp < kycExpiry`.
interface IInvestorRegistry is IAccessControl {
    /// @notice One registration of {batchRegister}.
    struct Registration {
        address wallet;
        uint40 kycExpiry;
        uint16 country;
        uint16 classes;
    }

    /// @notice One update of {batchUpdate}: `wallet` is any wallet of the identity.
    struct Update {
        address wallet;
        uint40 kycExpiry;
        uint16 country;
        uint16 classes;
    }

    /// @notice A wallet's record, unpacked (see {InvestorRecord}).
    struct WalletView {
        uint32 identity;
        uint40 kycExpiry;
        uint16 country;
        uint16 classes;
        bool identityFrozen;
        bool walletFrozen;
        uint8 walletCount;
    }

    /// @notice Identity `identity` was created with `wallet` as its first wallet.
    event InvestorRegistered(
        uint32 indexed identity,
        address indexed wallet,
        uint40 kycExpiry,
        uint16 country,
        uint16 classes
    );

    /// @notice Identity `identity`'s attributes were replaced (every wallet of it carries them).
    event InvestorUpdated(uint32 indexed identity, uint40 kycExpiry, uint16 country, uint16 classes);

    /// @notice `wallet` joined identity `identity`, which now has `walletCount` wallets.
    event WalletAdded(uint32 indexed identity, address indexed wallet, uint8 walletCount);

    /// @notice `wallet` left identity `identity`, which now has `walletCount` wallets (0: the identity is closed).
    event WalletRemoved(uint32 indexed identity, address indexed wallet, uint8 walletCount);

    /// @notice `newWallet` replaced the lost `lostWallet` in identity `identity`; `lostWallet` is no longer
    /// registered. The new wallet starts unfrozen at wallet level; the identity's attributes carry over.
    event WalletRecovered(uint32 indexed identity, address indexed lostWallet, address indexed newWallet);

    /// @notice Identity `identity` was frozen or unfrozen: none of its wallets may send or receive while frozen.
    event IdentityFrozen(uint32 indexed identity, bool frozen);

    /// @notice `wallet` (of identity `identity`) alone was frozen or unfrozen.
    event WalletFrozen(uint32 indexed identity, address indexed wallet, bool frozen);

    /// @notice The zero address cannot be registered.
    error ZeroWallet();

    /// @notice `wallet` already belongs to identity `identity`.
    error WalletAlreadyRegistered(address wallet, uint32 identity);

    /// @notice `wallet` belongs to no identity.
    error UnknownWallet(address wallet);

    /// @notice Identity `identity` already has the maximum number of wallets, `max`.
    error TooManyWallets(uint32 identity, uint256 max);

    /// @notice `country` is not an ISO 3166-1 numeric code (1 – 999).
    error InvalidCountry(uint16 country);

    /// @notice A new registration's KYC expiry `kycExpiry` is not after the current time `nowTime`.
    error KycExpiryInPast(uint40 kycExpiry, uint256 nowTime);

    /// @notice A batch holds `length` entries; it must hold 1 to `max`.
    error InvalidBatchLength(uint256 length, uint256 max);

    /// @notice Every identity id that fits the record's 32 bits has been used (the last is 2³² − 2).
    error IdentityIdsExhausted();

    /// @notice Role that keeps the registry: `keccak256("cascade.role.compliance-agent")`.
    // solhint-disable-next-line func-name-mixedcase
    function COMPLIANCE_AGENT_ROLE() external view returns (bytes32);

    /// @notice Most wallets one identity may hold.
    // solhint-disable-next-line func-name-mixedcase
    function MAX_WALLETS() external view returns (uint256);

    /// @notice Most entries in one batch call.
    // solhint-disable-next-line func-name-mixedcase
    function MAX_BATCH() external view returns (uint256);

    // ------------------------------------------------------------ agent

    /// @notice Creates a new identity whose first wallet is `wallet`.
    /// @dev Reverts with {ZeroWallet}, {WalletAlreadyRegistered}, {InvalidCountry} or {KycExpiryInPast}.
    function registerInvestor(
        address wallet,
        uint40 kycExpiry,
        uint16 country,
        uint16 classes
    ) external returns (uint32 identity);

    /// @notice {registerInvestor} for each entry, in order; the whole batch reverts if one entry does.
    function batchRegister(Registration[] calldata registrations) external returns (uint32[] memory identities);

    /// @notice Replaces the attributes of the identity of `wallet` (any of its wallets) in all of its wallets.
    /// @dev An update may set a KYC expiry in the past: that is how an agent revokes a KYC. Reverts with
    /// {UnknownWallet} or {InvalidCountry}.
    function updateInvestor(address wallet, uint40 kycExpiry, uint16 country, uint16 classes) external;

    /// @notice {updateInvestor} for each entry, in order; the whole batch reverts if one entry does.
    function batchUpdate(Update[] calldata updates) external;

    /// @notice Adds the unregistered `newWallet` to the identity of `identityWallet` (any of its wallets).
    /// @dev Reverts with {ZeroWallet}, {UnknownWallet}, {WalletAlreadyRegistered} or {TooManyWallets}.
    function addWallet(address identityWallet, address newWallet) external;

    /// @notice Removes `wallet` from its identity; removing the last wallet closes the identity.
    /// @dev Reverts with {UnknownWallet}. See the warning above about balances.
    function removeWallet(address wallet) external;

    /// @notice Moves the identity membership of the lost `lostWallet` to the unregistered `newWallet`.
    /// @dev Reverts with {ZeroWallet}, {UnknownWallet} or {WalletAlreadyRegistered}. Tokens move the lost wallet's
    /// balance and accrued coupons in a separate, token-side forced transfer.
    function recoverWallet(address lostWallet, address newWallet) external;

    /// @notice Freezes or unfreezes the identity of `wallet` (any of its wallets), in all of its wallets.
    function setIdentityFrozen(address wallet, bool frozen) external;

    /// @notice Freezes or unfreezes `wallet` alone.
    function setWalletFrozen(address wallet, bool frozen) external;

    // ------------------------------------------------------------ views

    /// @notice The packed records ({InvestorRecord}) of both sides of a transfer: two storage reads.
    function transferRecords(address from, address to) external view returns (uint256 fromRecord, uint256 toRecord);

    /// @notice The packed record ({InvestorRecord}) of `wallet`; 0 when it is not registered.
    function walletRecord(address wallet) external view returns (uint256);

    /// @notice The record of `wallet`, unpacked (all zero when it is not registered).
    function walletInfo(address wallet) external view returns (WalletView memory);

    /// @notice The identity id of `wallet`; 0 when it is not registered.
    function identityOf(address wallet) external view returns (uint32);

    /// @notice All wallets of the identity of `wallet` (any of its wallets). Removing a wallet moves the last one
    /// into its place. Reverts with {UnknownWallet}.
    function identityWallets(address wallet) external view returns (address[] memory);

    /// @notice Number of identities ever created (ids run from 1 to this).
    function identityCount() external view returns (uint256);
}
