from kg.cli import main

if __name__ == "__main__":  # worker processes (kg.build) import this module again
    main()
