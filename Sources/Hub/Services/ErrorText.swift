import Foundation
import PersonioAPI
import Provisioning

/// An error as an HR admin reads it: what happened and what to do. Runs, services and pages say
/// Personio's, the vault's and a target app's failures the same way.
enum ErrorText {
    static func explain(_ error: any Error) -> String {
        switch error {
        case let error as PersonioError: "\(error.explanation) \(error.remedy)"
        case let error as Vault.VaultError: "A stored secret cannot be read: \(error)."
        case let error as TargetFailure: error.explanation
        default: "\(error)"
        }
    }
}
