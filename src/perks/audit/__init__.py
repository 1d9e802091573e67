"""The audit log: who changed what through the people's faces, with the object before and after."""
