import AsyncHTTPClient
import Foundation
import PersonioAPI

/// PersonioClient's v2 path against a `rollcall sandbox` process: a full read of persons with their
/// employments, limits off (throughput, requests) and under the sandbox's v2 limit switch (time
/// against the least the limit allows), and v1 beside v2 on the same company.
struct ClientV2Benchmark {
    let binary: String

    func run(employees: Int, limitedEmployees: Int, perMinute: Int) async throws {
        let sandbox = try SandboxProcess(binary: binary, employees: employees, limits: false)
        defer { sandbox.stop() }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let v1 = try await read(sandbox, http: http, version: .v1)
            let v2 = try await read(sandbox, http: http, version: .v2)
            print(String(format: "limits off, %d employees: v1 %.2f s in %d requests (%.0f employees/s); v2 %.2f s in %d requests (%.0f persons/s)",
                         employees, v1.seconds, v1.requests, Double(v1.count) / v1.seconds, v2.seconds, v2.requests,
                         Double(v2.count) / v2.seconds))
            print(String(format: "v2 costs %.1f× the requests and %.1f× the time of v1 for a full read; auto lists through %@",
                         Double(v2.requests) / Double(max(v1.requests, 1)), v2.seconds / max(v1.seconds, 0.001),
                         PersonioAPIVersion.Choice.auto.forListing(people: employees).rawValue))
            try await sandbox.admin("PUT", "/sandbox/faults", #"{"v2_requests_per_minute":\#(perMinute)}"#)
            try await limited(sandbox, http: http, employees: limitedEmployees, perMinute: perMinute)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    private struct Reading {
        var count: Int
        var seconds: Double
        var requests: Int
        var rateLimited: Int
    }

    private func client(_ sandbox: SandboxProcess, http: HTTPClient, version: PersonioAPIVersion.Choice,
                        perMinute: Int = 1_000_000) -> PersonioClient {
        var configuration = PersonioConfiguration(baseURL: sandbox.baseURL,
                                                  credentials: PersonioCredentials(clientID: "bench", clientSecret: "bench-secret"))
        configuration.apiVersion = version
        configuration.requestsPerSecond = nil
        configuration.requestsPerMinute = perMinute
        return PersonioClient(configuration: configuration, transport: AsyncHTTPClientTransport(client: http))
    }

    private func read(_ sandbox: SandboxProcess, http: HTTPClient, version: PersonioAPIVersion.Choice, limit: Int? = nil,
                      perMinute: Int = 1_000_000) async throws -> Reading {
        let client = client(sandbox, http: http, version: version, perMinute: perMinute)
        let start = Date()
        var count = 0
        for try await page in client.employees() {
            count += page.employees.count
            if let limit, count >= limit { break }
        }
        return Reading(count: count, seconds: Date().timeIntervalSince(start), requests: await client.statistics.requests,
                       rateLimited: await client.statistics.rateLimited)
    }

    /// Reads the first `employees` persons with their employments under the v2 limit.
    private func limited(_ sandbox: SandboxProcess, http: HTTPClient, employees: Int, perMinute: Int) async throws {
        let reading = try await read(sandbox, http: http, version: .v2, limit: employees, perMinute: perMinute)
        // Resource requests (the token is not counted by the v2 limit): request n (0-based) may leave at
        // floor(n / perMinute) minutes at the earliest.
        let resourceRequests = reading.requests - 1
        let minimum = Double((resourceRequests - 1) / perMinute) * 60
        print(String(format: "v2 limit %d/min: %d persons with employments in %d requests in %.1f s; the limit "
                             + "allows at best %.1f s (%.1f%% over); 429 responses: %d",
                     perMinute, reading.count, reading.requests, reading.seconds, minimum,
                     (reading.seconds - minimum) / max(minimum, 0.001) * 100, reading.rateLimited))
    }
}
