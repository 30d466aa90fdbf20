// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice Everything a transfer check needs to know about one wallet, packed in one word (one storage slot of the
/// investor registry). Identity attributes are copied into every wallet of the identity, so checking both sides of
/// a transfer reads two slots.
/// @dev Layout, from the least significant bit:
///
/// | bits      | field          | meaning                                                               |
/// | --------- | -------------- | --------------------------------------------------------------------- |
/// | 0 – 31    | identity       | identity id (1, 2, …); 0: the wallet is not registered                 |
/// | 32 – 71   | kycExpiry      | unix time from which the identity's KYC is no longer valid            |
/// | 72 – 87   | country        | ISO 3166-1 numeric country code, 1 – 999                               |
/// | 88 – 103  | classes        | investor class flags (accredited, qualified purchaser, non-US, …)      |
/// | 104       | identityFrozen | the identity is frozen: none of its wallets may send or receive        |
/// | 105       | walletFrozen   | this wallet alone is frozen                                            |
/// | 106 – 109 | walletCount    | number of wallets of the identity (1 – 8)                              |
/// | 110 – 255 | —              | zero; spare                                                            |
type InvestorRecord is uint256;

using InvestorRecordLib for InvestorRecord global;

/// @notice Packs and unpacks {InvestorRecord}. Every getter is a shift and a mask.
library InvestorRecordLib {
    uint256 internal constant IDENTITY_BITS = 32;
    uint256 internal constant KYC_EXPIRY_SHIFT = 32;
    uint256 internal constant COUNTRY_SHIFT = 72;
    uint256 internal constant CLASSES_SHIFT = 88;
    uint256 internal constant IDENTITY_FROZEN_SHIFT = 104;
    uint256 internal constant WALLET_FROZEN_SHIFT = 105;
    uint256 internal constant WALLET_COUNT_SHIFT = 106;

    uint256 internal constant IDENTITY_MASK = type(uint32).max;
    uint256 internal constant KYC_EXPIRY_MASK = type(uint40).max;
    uint256 internal constant COUNTRY_MASK = type(uint16).max;
    uint256 internal constant CLASSES_MASK = type(uint16).max;
    uint256 internal constant WALLET_COUNT_MASK = 0xF;

    /// @dev The attribute bits an identity shares across its wallets (KYC expiry, country, classes, identity frozen).
    uint256 internal constant SHARED_ATTRIBUTES_MASK =
        ((uint256(1) << (IDENTITY_FROZEN_SHIFT + 1)) - 1) ^ IDENTITY_MASK;

    /// @notice Packs a record. Inputs are trusted to fit their fields (they are typed to).
    function pack(
        uint32 identityId,
        uint40 kycExpiry_,
        uint16 country_,
        uint16 classes_,
        bool identityFrozen_,
        bool walletFrozen_,
        uint8 walletCount_
    ) internal pure returns (InvestorRecord) {
        return
            InvestorRecord.wrap(
                uint256(identityId) |
                    (uint256(kycExpiry_) << KYC_EXPIRY_SHIFT) |
                    (uint256(country_) << COUNTRY_SHIFT) |
                    (uint256(classes_) << CLASSES_SHIFT) |
                    (_bit(identityFrozen_) << IDENTITY_FROZEN_SHIFT) |
                    (_bit(walletFrozen_) << WALLET_FROZEN_SHIFT) |
                    ((uint256(walletCount_) & WALLET_COUNT_MASK) << WALLET_COUNT_SHIFT)
            );
    }

    /// @notice The identity id; 0 when the wallet is not registered.
    function identity(InvestorRecord r) internal pure returns (uint32) {
        return uint32(InvestorRecord.unwrap(r));
    }

    function isRegistered(InvestorRecord r) internal pure returns (bool) {
        return InvestorRecord.unwrap(r) & IDENTITY_MASK != 0;
    }

    function kycExpiry(InvestorRecord r) internal pure returns (uint40) {
        return uint40(InvestorRecord.unwrap(r) >> KYC_EXPIRY_SHIFT);
    }

    function country(InvestorRecord r) internal pure returns (uint16) {
        return uint16(InvestorRecord.unwrap(r) >> COUNTRY_SHIFT);
    }

    function classes(InvestorRecord r) internal pure returns (uint16) {
        return uint16(InvestorRecord.unwrap(r) >> CLASSES_SHIFT);
    }

    function identityFrozen(InvestorRecord r) internal pure returns (bool) {
        return (InvestorRecord.unwrap(r) >> IDENTITY_FROZEN_SHIFT) & 1 == 1;
    }

    function walletFrozen(InvestorRecord r) internal pure returns (bool) {
        return (InvestorRecord.unwrap(r) >> WALLET_FROZEN_SHIFT) & 1 == 1;
    }

    /// @notice The wallet may not move tokens: its identity or the wallet itself is frozen.
    function isFrozen(InvestorRecord r) internal pure returns (bool) {
        return (InvestorRecord.unwrap(r) >> IDENTITY_FROZEN_SHIFT) & 3 != 0;
    }

    function walletCount(InvestorRecord r) internal pure returns (uint8) {
        return uint8((InvestorRecord.unwrap(r) >> WALLET_COUNT_SHIFT) & WALLET_COUNT_MASK);
    }

    /// @notice `r` with its wallet count replaced.
    function withWalletCount(InvestorRecord r, uint8 count) internal pure returns (InvestorRecord) {
        uint256 cleared = InvestorRecord.unwrap(r) & ~(WALLET_COUNT_MASK << WALLET_COUNT_SHIFT);
        return InvestorRecord.wrap(cleared | ((uint256(count) & WALLET_COUNT_MASK) << WALLET_COUNT_SHIFT));
    }

    /// @notice `r` with its wallet-frozen flag replaced.
    function withWalletFrozen(InvestorRecord r, bool frozen) internal pure returns (InvestorRecord) {
        uint256 cleared = InvestorRecord.unwrap(r) & ~(uint256(1) << WALLET_FROZEN_SHIFT);
        return InvestorRecord.wrap(cleared | (_bit(frozen) << WALLET_FROZEN_SHIFT));
    }

    /// @notice `r` with the identity's shared attributes (KYC expiry, country, classes, identity frozen) taken from
    /// `source`; identity id, wallet-frozen flag and wallet count are kept.
    function withSharedAttributesOf(InvestorRecord r, InvestorRecord source) internal pure returns (InvestorRecord) {
        return
            InvestorRecord.wrap(
                (InvestorRecord.unwrap(r) & ~SHARED_ATTRIBUTES_MASK) |
                    (InvestorRecord.unwrap(source) & SHARED_ATTRIBUTES_MASK)
            );
    }

    function _bit(bool b) private pure returns (uint256 v) {
        v = b ? 1 : 0;
    }
}
