fn main() -> std::process::ExitCode {
    millage::cli::main()
}
