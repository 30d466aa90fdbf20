// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

import {IInvestorRegistry} from "../interfaces/IInvestorRegistry.sol";
import {InvestorRecord, InvestorRecordLib} from "./InvestorRecord.sol";
import {Roles} from "../libraries/Roles.sol";

/// @title InvestorRegistry
/// @notice See {IInvestorRegistry}.
/// @dev Storage: one packed {InvestorRecord} per wallet (the hot slot a transfer reads), and, only for identities
/// with two or more wallets, the list of their wallets (`_identityWallets`), which updates walk to copy identity
/// attributes into every wallet. A single-wallet identity has no list: registering writes one new slot.
contract InvestorRegistry is IInvestorRegistry, AccessControl {
    /// @inheritdoc IInvestorRegistry
    bytes32 public constant COMPLIANCE_AGENT_ROLE = Roles.COMPLIANCE_AGENT;
    /// @inheritdoc IInvestorRegistry
    uint256 public constant MAX_WALLETS = 8;
    /// @inheritdoc IInvestorRegistry
    uint256 public constant MAX_BATCH = 100;

    uint16 private constant MAX_COUNTRY = 999;

    mapping(address wallet => InvestorRecord) private _records;
    /// @dev Entries `0 … walletCount − 1` are the identity's wallets when it has two or more; empty otherwise.
    mapping(uint32 identity => address[MAX_WALLETS]) private _identityWallets;
    /// @dev The id the next identity gets. Starts at 1 (0 means "not registered"), so the first registration
    /// updates a non-zero slot instead of creating one.
    uint32 private _nextIdentity = 1;

    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ------------------------------------------------------------ registration and updates

    /// @inheritdoc IInvestorRegistry
    function registerInvestor(
        address wallet,
        uint40 kycExpiry,
        uint16 country,
        uint16 classes
    ) external onlyRole(COMPLIANCE_AGENT_ROLE) returns (uint32 identity) {
        identity = _nextIdentity;
        _register(wallet, kycExpiry, country, classes, identity);
        _nextIdentity = _following(identity);
    }

    /// @inheritdoc IInvestorRegistry
    function batchRegister(
        Registration[] calldata registrations
    ) external onlyRole(COMPLIANCE_AGENT_ROLE) returns (uint32[] memory identities) {
        uint256 length = registrations.length;
        _checkBatch(length);
        identities = new uint32[](length);
        uint32 identity = _nextIdentity;
        for (uint256 i; i < length; ++i) {
            Registration calldata r = registrations[i];
            _register(r.wallet, r.kycExpiry, r.country, r.classes, identity);
            identities[i] = identity;
            identity = _following(identity);
        }
        _nextIdentity = identity;
    }

    /// @inheritdoc IInvestorRegistry
    function updateInvestor(
        address wallet,
        uint40 kycExpiry,
        uint16 country,
        uint16 classes
    ) external onlyRole(COMPLIANCE_AGENT_ROLE) {
        _update(wallet, kycExpiry, country, classes);
    }

    /// @inheritdoc IInvestorRegistry
    function batchUpdate(Update[] calldata updates) external onlyRole(COMPLIANCE_AGENT_ROLE) {
        uint256 length = updates.length;
        _checkBatch(length);
        for (uint256 i; i < length; ++i) {
            Update calldata u = updates[i];
            _update(u.wallet, u.kycExpiry, u.country, u.classes);
        }
    }

    /// @inheritdoc IInvestorRegistry
    function setIdentityFrozen(address wallet, bool frozen) external onlyRole(COMPLIANCE_AGENT_ROLE) {
        InvestorRecord record = _registered(wallet);
        InvestorRecord shared = InvestorRecordLib.pack(
            0,
            record.kycExpiry(),
            record.country(),
            record.classes(),
            frozen,
            false,
            0
        );
        _setShared(wallet, record, shared);
        emit IdentityFrozen(record.identity(), frozen);
    }

    /// @inheritdoc IInvestorRegistry
    function setWalletFrozen(address wallet, bool frozen) external onlyRole(COMPLIANCE_AGENT_ROLE) {
        InvestorRecord record = _registered(wallet);
        _records[wallet] = record.withWalletFrozen(frozen);
        emit WalletFrozen(record.identity(), wallet, frozen);
    }

    // ------------------------------------------------------------ wallets

    /// @inheritdoc IInvestorRegistry
    function addWallet(address identityWallet, address newWallet) external onlyRole(COMPLIANCE_AGENT_ROLE) {
        if (newWallet == address(0)) revert ZeroWallet();
        InvestorRecord record = _registered(identityWallet);
        _checkUnregistered(newWallet);
        uint32 identity = record.identity();
        uint8 count = record.walletCount();
        if (count >= MAX_WALLETS) revert TooManyWallets(identity, MAX_WALLETS);

        address[MAX_WALLETS] storage list = _identityWallets[identity];
        // A single-wallet identity has no list yet: start it with that wallet.
        if (count == 1) list[0] = identityWallet;
        list[count] = newWallet;
        // count < MAX_WALLETS (8) checked above.
        unchecked {
            ++count;
        }
        for (uint256 i; i + 1 < count; ++i) {
            address w = list[i];
            _records[w] = _records[w].withWalletCount(count);
        }
        _records[newWallet] = record.withWalletCount(count).withWalletFrozen(false);
        emit WalletAdded(identity, newWallet, count);
    }

    /// @inheritdoc IInvestorRegistry
    function removeWallet(address wallet) external onlyRole(COMPLIANCE_AGENT_ROLE) {
        InvestorRecord record = _registered(wallet);
        uint32 identity = record.identity();
        uint8 count = record.walletCount();
        _records[wallet] = InvestorRecord.wrap(0);
        if (count > 1) {
            address[MAX_WALLETS] storage list = _identityWallets[identity];
            // count ≥ 2.
            unchecked {
                --count;
            }
            // Swap and pop: the last wallet (now at index `count`) takes the removed one's place. When the removed
            // wallet is the last one, the search over the first `count` entries misses and returns `count`: the
            // assignment is then a no-op and the delete clears it.
            list[_indexOf(list, count, wallet)] = list[count];
            delete list[count];
            if (count == 1) {
                // Back to a single wallet: the list is dropped (single-wallet identities have none).
                address remaining = list[0];
                delete list[0];
                _records[remaining] = _records[remaining].withWalletCount(1);
            } else {
                for (uint256 i; i < count; ++i) {
                    address w = list[i];
                    _records[w] = _records[w].withWalletCount(count);
                }
            }
        } else {
            count = 0;
        }
        emit WalletRemoved(identity, wallet, count);
    }

    /// @inheritdoc IInvestorRegistry
    function recoverWallet(address lostWallet, address newWallet) external onlyRole(COMPLIANCE_AGENT_ROLE) {
        if (newWallet == address(0)) revert ZeroWallet();
        InvestorRecord record = _registered(lostWallet);
        _checkUnregistered(newWallet);
        uint32 identity = record.identity();
        uint8 count = record.walletCount();
        if (count > 1) {
            address[MAX_WALLETS] storage list = _identityWallets[identity];
            list[_indexOf(list, count, lostWallet)] = newWallet;
        }
        _records[lostWallet] = InvestorRecord.wrap(0);
        _records[newWallet] = record.withWalletFrozen(false);
        emit WalletRecovered(identity, lostWallet, newWallet);
    }

    // ------------------------------------------------------------ views

    /// @inheritdoc IInvestorRegistry
    /// @dev Every transfer of every tranche calls this: the body hashes the two mapping slots in scratch memory and
    /// returns the two words from there, without the ABI encoder (the arguments were decoded and checked already).
    function transferRecords(address from, address to) external view returns (uint256 fromRecord, uint256 toRecord) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            mstore(0x20, _records.slot)
            mstore(0x00, from)
            fromRecord := sload(keccak256(0x00, 0x40))
            mstore(0x00, to)
            toRecord := sload(keccak256(0x00, 0x40))
            mstore(0x00, fromRecord)
            mstore(0x20, toRecord)
            return(0x00, 0x40)
        }
    }

    /// @inheritdoc IInvestorRegistry
    /// @dev Every claim calls this: as {transferRecords}, one slot.
    function walletRecord(address wallet) external view returns (uint256) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            mstore(0x20, _records.slot)
            mstore(0x00, wallet)
            mstore(0x00, sload(keccak256(0x00, 0x40)))
            return(0x00, 0x20)
        }
    }

    /// @inheritdoc IInvestorRegistry
    function walletInfo(address wallet) external view returns (WalletView memory) {
        InvestorRecord r = _records[wallet];
        return
            WalletView({
                identity: r.identity(),
                kycExpiry: r.kycExpiry(),
                country: r.country(),
                classes: r.classes(),
                identityFrozen: r.identityFrozen(),
                walletFrozen: r.walletFrozen(),
                walletCount: r.walletCount()
            });
    }

    /// @inheritdoc IInvestorRegistry
    function identityOf(address wallet) external view returns (uint32) {
        return _records[wallet].identity();
    }

    /// @inheritdoc IInvestorRegistry
    function identityWallets(address wallet) external view returns (address[] memory) {
        return _walletsOf(wallet, _registered(wallet));
    }

    /// @inheritdoc IInvestorRegistry
    function identityCount() external view returns (uint256) {
        return _nextIdentity - 1;
    }

    // ------------------------------------------------------------ internals

    function _register(address wallet, uint40 kycExpiry, uint16 country, uint16 classes, uint32 identity) private {
        if (wallet == address(0)) revert ZeroWallet();
        _checkUnregistered(wallet);
        _checkCountry(country);
        if (kycExpiry <= block.timestamp) revert KycExpiryInPast(kycExpiry, block.timestamp);
        _records[wallet] = InvestorRecordLib.pack(identity, kycExpiry, country, classes, false, false, 1);
        emit InvestorRegistered(identity, wallet, kycExpiry, country, classes);
    }

    function _update(address wallet, uint40 kycExpiry, uint16 country, uint16 classes) private {
        InvestorRecord record = _registered(wallet);
        _checkCountry(country);
        InvestorRecord shared = InvestorRecordLib.pack(
            0,
            kycExpiry,
            country,
            classes,
            record.identityFrozen(),
            false,
            0
        );
        _setShared(wallet, record, shared);
        emit InvestorUpdated(record.identity(), kycExpiry, country, classes);
    }

    /// @dev Copies the identity attributes of `shared` into every wallet of the identity of `wallet`.
    function _setShared(address wallet, InvestorRecord record, InvestorRecord shared) private {
        uint8 count = record.walletCount();
        if (count == 1) {
            _records[wallet] = record.withSharedAttributesOf(shared);
            return;
        }
        address[MAX_WALLETS] storage list = _identityWallets[record.identity()];
        for (uint256 i; i < count; ++i) {
            address w = list[i];
            _records[w] = _records[w].withSharedAttributesOf(shared);
        }
    }

    function _walletsOf(address wallet, InvestorRecord record) private view returns (address[] memory wallets) {
        uint8 count = record.walletCount();
        wallets = new address[](count);
        if (count == 1) {
            wallets[0] = wallet;
            return wallets;
        }
        address[MAX_WALLETS] storage list = _identityWallets[record.identity()];
        for (uint256 i; i < count; ++i) {
            wallets[i] = list[i];
        }
    }

    /// @dev Position of `wallet` among the first `count` entries of `list`. The caller knows it is there: the
    /// wallet's record names this identity, and records and lists change together.
    function _indexOf(
        address[MAX_WALLETS] storage list,
        uint256 count,
        address wallet
    ) private view returns (uint256 i) {
        while (i < count && list[i] != wallet) ++i;
    }

    function _registered(address wallet) private view returns (InvestorRecord record) {
        record = _records[wallet];
        if (!record.isRegistered()) revert UnknownWallet(wallet);
    }

    function _checkUnregistered(address wallet) private view {
        InvestorRecord record = _records[wallet];
        if (record.isRegistered()) revert WalletAlreadyRegistered(wallet, record.identity());
    }

    function _checkCountry(uint16 country) private pure {
        if (country == 0 || country > MAX_COUNTRY) revert InvalidCountry(country);
    }

    function _checkBatch(uint256 length) private pure {
        if (length == 0 || length > MAX_BATCH) revert InvalidBatchLength(length, MAX_BATCH);
    }

    function _following(uint32 identity) private pure returns (uint32) {
        if (identity == type(uint32).max) revert IdentityIdsExhausted();
        // identity < 2³² − 1 checked above.
        unchecked {
            return identity + 1;
        }
    }
}
